namespace CallPush.Api.Features.Exports;

/// <summary>
/// The folder every folder connector writes under. A connector's path is refused when it is absolute outside the root,
/// climbs out with <c>..</c>, or passes through a symbolic link that leads outside; the check is repeated before each
/// delivery, since a link can appear after the connector was saved.
/// </summary>
internal sealed class FolderRoot(string root)
{
    public string FullPath { get; } = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));

    /// <summary>The connector folder's full path, or the reason it is refused.</summary>
    public (string? Folder, string? Problem) Resolve(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return (null, "path is required (a folder under the export root)");
        }
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return (null, "path contains a NUL character");
        }
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(FullPath, path)));
        if (!IsInside(full, FullPath))
        {
            return (null, $"path '{path}' is outside the export root");
        }
        try
        {
            if (!IsInside(RealPath(full), RealPath(FullPath)))
            {
                return (null, $"path '{path}' leads outside the export root through a symbolic link");
            }
        }
        catch (IOException e)
        {
            return (null, $"path '{path}' cannot be resolved: {e.Message}");
        }
        return (full, null);
    }

    /// <summary>The path with every symbolic link among its existing parts followed.</summary>
    private static string RealPath(string path)
    {
        var parts = path.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = Path.GetPathRoot(path) ?? "/";
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            FileSystemInfo info = new DirectoryInfo(next);
            if (!info.Exists)
            {
                info = new FileInfo(next);
            }
            if (info.Exists && info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                next = target is null ? next : Path.TrimEndingDirectorySeparator(Path.GetFullPath(target.FullName));
                // The target may itself lie under links: resolve it again from the top.
                var rest = string.Join(Path.DirectorySeparatorChar, parts[(i + 1)..]);
                return RealPath(rest.Length == 0 ? next : Path.Combine(next, rest));
            }
            current = next;
        }
        return Path.TrimEndingDirectorySeparator(current);
    }

    private static bool IsInside(string path, string root) =>
        path == root || path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
