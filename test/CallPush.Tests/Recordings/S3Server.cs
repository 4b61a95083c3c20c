using System.Diagnostics;
using System.Net.Sockets;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Recordings;

/// <summary>
/// s3rver (npm, a real S3 protocol server) on a free 127.0.0.1 port with one bucket, installed once into
/// .callpush/test-tools of the repository.
/// </summary>
public sealed class S3Server : IAsyncDisposable
{
    public const string Version = "3.7.1";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private readonly Process _process;
    private readonly string _directory;

    private S3Server(Process process, string directory, int port, string bucket)
    {
        _process = process;
        _directory = directory;
        ServiceUrl = new Uri($"http://127.0.0.1:{port}");
        Bucket = bucket;
    }

    public Uri ServiceUrl { get; }
    public string Bucket { get; }

    public static async Task<S3Server> StartAsync(string bucket)
    {
        var script = await InstallAsync();
        var directory = Path.Combine(Path.GetTempPath(), "callpush-s3rver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var port = ServiceProcess.FreePort();
        var start = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { script, "-d", directory, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--configure-bucket", bucket })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new S3Server(process, directory, port, bucket);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        using var http = new HttpClient();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"s3rver exited with {process.ExitCode}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri(server.ServiceUrl, "/" + bucket));
                if (response.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new TimeoutException("s3rver did not start");
            }
            await Task.Delay(100);
        }
    }

    private static async Task<string> InstallAsync() =>
        Path.Combine(await NpmTools.InstallAsync("s3rver", Version, "the S3 tests"), "bin", "s3rver.js");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
