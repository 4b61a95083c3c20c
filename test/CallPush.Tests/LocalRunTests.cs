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
        var url = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        var environment = new Dictionary<string, string> { ["ASPNETCORE_URLS"] = url };
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        await using (var first = ServiceProcess.Start(environment, _workingDirectory))
        {
            await first.WaitUntilReadyAsync(client, TimeSpan.FromSeconds(90));
            Assert.Equal("ok", (await client.PushAndReadAsync("cdr", Samples.Cdr, "local-run")).ErrMsg);

            first.Terminate();
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), first.Text);
            Assert.Equal(0, first.ExitCode);
            Assert.Contains("psql -h 127.0.0.1 -p ", first.Text, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dataDirectory, "postmaster.pid")), "the private PostgreSQL is still running");
        }

        await using var second = ServiceProcess.Start(environment, _workingDirectory);
        await second.WaitUntilReadyAsync(client, TimeSpan.FromSeconds(60));
        Assert.Equal("duplicate", (await client.PushAndReadAsync("cdr", Samples.Cdr, "local-run")).ErrMsg);
    }

    [Fact]
    public async Task Without_a_connection_string_or_postgres_binaries_it_stops_with_one_line_saying_what_to_do()
    {
        await using var service = ServiceProcess.Start(
            new Dictionary<string, string> { ["CallPush__LocalPostgres__BinDirectory"] = "/nonexistent/postgresql/bin" },
            _workingDirectory);

        Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(78, service.ExitCode);
        var line = Assert.Single(service.Output, l => l.Trim().Length > 0);
        Assert.Contains("apt-get install -y postgresql", line, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__CallPush", line, StringComparison.Ordinal);
    }
}
