using System.Diagnostics;

namespace CallPush.Tests.Infrastructure;

/// <summary>
/// npm packages the tests run (real protocol peers), installed once into .callpush/test-tools of the repository; a lock
/// file keeps test processes from installing at once.
/// </summary>
public static class NpmTools
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    public static string Folder => Path.Combine(Samples.RepositoryRoot, ".callpush", "test-tools");

    /// <summary>The package's folder under node_modules, installed with npm unless that version is there.</summary>
    public static async Task<string> InstallAsync(string package, string version, string neededFor)
    {
        var directory = Path.Combine(Folder, "node_modules", package);
        await InstallGate.WaitAsync();
        try
        {
            Directory.CreateDirectory(Folder);
            await using var fileLock = await LockAsync(Path.Combine(Folder, ".install.lock"));
            var manifest = Path.Combine(directory, "package.json");
            if (File.Exists(manifest) && File.ReadAllText(manifest).Contains($"\"version\": \"{version}\"", StringComparison.Ordinal))
            {
                return directory;
            }
            var npm = new ProcessStartInfo("npm") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "install", "--prefix", Folder, "--no-audit", "--no-fund", $"{package}@{version}" })
            {
                npm.ArgumentList.Add(argument);
            }
            Process process;
            try
            {
                process = Process.Start(npm) ?? throw new InvalidOperationException("npm could not be started");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException($"{neededFor} need Node 20 and npm to install {package} {version}: {e.Message}", e);
            }
            using (process)
            {
                var output = process.StandardOutput.ReadToEndAsync();
                var error = process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                if (process.ExitCode != 0 || !File.Exists(manifest))
                {
                    throw new InvalidOperationException(
                        $"`npm install --prefix {Folder} {package}@{version}` failed ({process.ExitCode}); {neededFor} need it:\n{await output}\n{await error}");
                }
            }
            return directory;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<FileStream> LockAsync(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
