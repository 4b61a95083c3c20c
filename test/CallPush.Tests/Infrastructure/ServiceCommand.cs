using System.Diagnostics;

namespace CallPush.Tests.Infrastructure;

/// <summary>Runs a command of the built service (<c>dotnet CallPush.Api.dll &lt;arguments&gt;</c>) as a child process, as an operator would.</summary>
public static class ServiceCommand
{
    /// <summary>
    /// The exit code and both outputs. The child gets none of this process's ConnectionStrings or CallPush__ variables,
    /// only <paramref name="connectionString"/> (when given) and <paramref name="environment"/>.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string[] arguments, string? connectionString, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CallPush.Api.dll"));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var inherited in startInfo.Environment.Keys
            .Where(k => k.StartsWith("ConnectionStrings", StringComparison.OrdinalIgnoreCase) || k.StartsWith("CallPush__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(inherited);
        }
        if (connectionString is not null)
        {
            startInfo.Environment["ConnectionStrings__CallPush"] = connectionString;
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
