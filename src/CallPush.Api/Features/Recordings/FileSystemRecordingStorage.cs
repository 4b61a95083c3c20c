using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Recordings;

/// <summary>
/// Recordings as files under <c>CallPush__Recordings__Path</c>. A file is copied next to its final name and then
/// renamed over it, so a reader sees the whole file or none.
/// </summary>
internal sealed class FileSystemRecordingStorage(IOptions<RecordingsOptions> options) : IRecordingStorage
{
    private readonly string _root = Path.GetFullPath(options.Value.Path);

    public async Task SaveAsync(string key, string localFile, string contentType, string sha256, CancellationToken cancellationToken)
    {
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = target + "." + Guid.NewGuid().ToString("N") + ".partial";
        try
        {
            await using (var source = new FileStream(localFile, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true))
            await using (var destination = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await source.CopyToAsync(destination, cancellationToken);
                await destination.FlushAsync(cancellationToken);
                destination.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<StoredRecording?> OpenAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return Task.FromResult<StoredRecording?>(null);
        }
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true);
        return Task.FromResult<StoredRecording?>(new StoredRecording(stream, stream.Length, File.GetLastWriteTimeUtc(path)));
    }

    public Uri? PresignedUrl(string key, TimeSpan lifetime, string fileName, bool attachment) => null;

    /// <summary>Keys are made by the archive from sanitized parts; a key that would leave the root is a bug, not input.</summary>
    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(_root, key));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"storage key '{key}' leaves the recordings folder");
        }
        return path;
    }
}
