using CallPush.Tests.Infrastructure;

namespace CallPush.Tests;

/// <summary>What a new user sees from <c>dotnet run</c> with no configuration at all.</summary>
public sealed class LocalRunTests : IDisposable
{
    private readonly string _workingDirectory = Path.Combine(Path.GetTempPath(), "callpush-run-" + Guid.NewGuid().ToString("N")[..8]);

    public LocalRunTests() => Directory.CreateDirectory(_workingDirectory);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_workingDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [Fact]
    public async Task Without_a_connection_string_it_runs_its_own_postgres_keeps_the_data_and_stops_it_on_sigterm()
    {
        var dataDirectory = Path.Combine(_workingDirectory, ".callpush", "postgres", "data");
        await using (var first = ServiceProcess.Start(new Dictionary<string, string?>(), _workingDirectory))
        {
            await first.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            using var client = new HttpClient { BaseAddress = new Uri(first.Url) };
            Assert.Equal("ok", (await client.PushAndReadAsync("cdr", Samples.Cdr, "local-run")).ErrMsg);

            first.Terminate();
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), first.Output);
            Assert.Equal(0, first.ExitCode);
            Assert.Contains("psql -h 127.0.0.1 -p ", first.Output, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dataDirectory, "postmaster.pid")), "the private PostgreSQL is still running");
        }

        await using var second = ServiceProcess.Start(new Dictionary<string, string?>(), _workingDirectory);
        await second.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        using var again = new HttpClient { BaseAddress = new Uri(second.Url) };
        Assert.Equal("duplicate", (await again.PushAndReadAsync("cdr", Samples.Cdr, "local-run")).ErrMsg);
    }

    [Fact]
    public async Task Without_a_connection_string_or_postgres_binaries_it_stops_with_one_line_saying_what_to_do()
    {
        await using var service = ServiceProcess.Start(
            new Dictionary<string, string?> { ["CallPush__LocalPostgres__BinDirectory"] = "/nonexistent/postgresql/bin" },
            _workingDirectory);

        Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(78, service.ExitCode);
        var line = Assert.Single(service.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("apt-get install -y postgresql", line, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__CallPush", line, StringComparison.Ordinal);
    }
}
