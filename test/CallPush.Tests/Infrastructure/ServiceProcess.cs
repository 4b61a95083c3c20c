using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CallPush.Tests.Infrastructure;

/// <summary>
/// The built service run as its own process (<c>dotnet CallPush.Api.dll</c>) on real Kestrel, for what the test host
/// cannot show: signals, listening sockets, TLS.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly string[] InheritedPrefixesRemoved = ["OTEL_", "ASPNETCORE_", "CallPush__", "ConnectionStrings__", "Kestrel__", "Logging__"];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public IReadOnlyCollection<string> Output => _output;

    /// <summary>All output so far, one line each.</summary>
    public string Text => string.Join('\n', _output);

    public static ServiceProcess Start(IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        var directory = ApiDirectory();
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory ?? directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(directory, "CallPush.Api.dll"));
        foreach (var key in startInfo.Environment.Keys.Where(k => InheritedPrefixesRemoved.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            startInfo.Environment.Remove(key);
        }
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the service");
        var service = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) => service.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => service.Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task WaitUntilReadyAsync(HttpClient client, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the service exited with {_process.ExitCode}:\n{string.Join('\n', _output)}");
            }
            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the service did not become ready:\n{string.Join('\n', _output)}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM, as Kubernetes and docker stop send it (Process.Kill would send SIGKILL).</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed with exit code {kill.ExitCode}");
        }
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything, as when a node dies.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops it the way an orchestrator does (SIGTERM, then SIGKILL), so it can stop what it started.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Terminate();
            if (!await WaitForExitAsync(TimeSpan.FromSeconds(30)))
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    /// <summary>The service's own build output (…/src/CallPush.Api/bin/{Configuration}/{tfm}), built with this test project.</summary>
    private static string ApiDirectory()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        for (var directory = testOutput; directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "src", "CallPush.Api", "bin", configuration, framework);
            if (File.Exists(Path.Combine(candidate, "CallPush.Api.dll")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException($"the CallPush.Api build output ({configuration}/{framework}) was not found above {AppContext.BaseDirectory}");
    }
}
