using System.Net;
using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Hosting;
using CallPush.Tests.Infrastructure;
using CallPush.Tests.Recordings;

namespace CallPush.Tests.ApiKeys;

/// <summary><c>dotnet CallPush.Api.dll api-keys ...</c>, run as an operator runs it: a process of its own.</summary>
public sealed class ApiKeysCommandTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Create_on_an_empty_database_migrates_it_and_prints_only_the_key_on_standard_output()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync();

        var run = await RunAsync(connectionString, "create", "--name", "bi-export");

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}: {run.Error}");
        var key = Assert.Single(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches("^cpk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$", key);
        Assert.Contains($"Created API key {key[4..12]} for 'bi-export'", run.Error, StringComparison.Ordinal);
        await using var app = new CallPushApp(connectionString);
        await app.WaitUntilReadyAsync();
        using var client = app.AnalystClient(key);
        using var response = await client.GetAsync("/recordings?sdkAppId=1&sessionId=s");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Create_list_rotate_and_revoke_through_the_command_line()
    {
        var connectionString = await postgres.CreateDatabaseAsync();

        var first = await RunAsync(connectionString, "create", "--name", "analytics");
        var second = await RunAsync(connectionString, "create", "--name=analytics");
        var third = await RunAsync(connectionString, "create", "--name", "analytics");
        var firstPrefix = first.Output.Trim()[4..12];
        var revoke = await RunAsync(connectionString, "revoke", firstPrefix);
        var list = await RunAsync(connectionString, "list");
        var unknown = await RunAsync(connectionString, "revoke", "00000000");

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Equal(ApiKeysCommand.FailureExitCode, third.ExitCode);
        Assert.Equal(string.Empty, third.Output);
        Assert.Contains("'analytics' already has 2 active keys", third.Error, StringComparison.Ordinal);
        Assert.Equal(0, revoke.ExitCode);
        Assert.Equal(0, list.ExitCode);
        var lines = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^NAME +PREFIX +SOURCES +CREATED +LAST USED +REVOKED$", lines[0]);
        Assert.Equal(3, lines.Length);
        var revokedLine = Assert.Single(lines, l => l.Contains(firstPrefix, StringComparison.Ordinal));
        Assert.Matches(@"^analytics +[0-9a-f]{8} +\(all\) +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +- +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", revokedLine);
        Assert.Matches(@" - +-$", Assert.Single(lines, l => l.Contains(second.Output.Trim()[4..12], StringComparison.Ordinal)));
        Assert.DoesNotContain(second.Output.Trim()[13..], list.Output, StringComparison.Ordinal);
        Assert.Equal(ApiKeysCommand.FailureExitCode, unknown.ExitCode);
        Assert.Contains("no API key has the prefix 00000000", unknown.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("create")]
    [InlineData("create", "--name")]
    [InlineData("create", "--name", " ")]
    [InlineData("revoke")]
    [InlineData("revoke", "NOT-A-PREFIX")]
    [InlineData("rotate")]
    public async Task Usage_errors_exit_2_without_touching_a_database(params string[] arguments)
    {
        var run = await RunAsync("Host=127.0.0.1;Port=1;Database=none", arguments);

        Assert.Equal(ApiKeysCommand.UsageExitCode, run.ExitCode);
        Assert.Equal(string.Empty, run.Output);
        Assert.Contains("Usage:", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_database_exits_1_with_one_line()
    {
        var run = await RunAsync($"Host=127.0.0.1;Port={ServiceProcess.FreePort()};Database=none;Username=postgres;Timeout=5", "list");

        Assert.Equal(ApiKeysCommand.FailureExitCode, run.ExitCode);
        Assert.Equal(string.Empty, run.Output);
        Assert.StartsWith("CallPush api-keys failed: ", run.Error.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_connection_string_it_uses_the_private_cluster_and_stops_it_again()
    {
        var root = Path.Combine(Path.GetTempPath(), "callpush-keys-local-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var environment = new Dictionary<string, string> { ["CallPush__LocalPostgres__DataDirectory"] = root };

            var create = await RunAsync(null, ["create", "--name", "local"], environment);
            var list = await RunAsync(null, ["list"], environment);

            Assert.True(create.ExitCode == 0, $"exit code {create.ExitCode}: {create.Error}");
            Assert.Matches("^cpk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$", create.Output.Trim());
            Assert.Equal(0, list.ExitCode);
            Assert.Contains(create.Output.Trim()[4..12], list.Output, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(root, "data", "postmaster.pid")), "the command left the cluster it started running");
        }
        finally
        {
            if (File.Exists(Path.Combine(root, "data", "postmaster.pid")))
            {
                var leftRunning = await LocalPostgres.StartAsync(new LocalPostgresSettings(root, "callpush"));
                await leftRunning.StopAsync();
            }
            Directory.Delete(root, recursive: true);
        }
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(string? connectionString, params string[] arguments) =>
        RunAsync(connectionString, arguments, new Dictionary<string, string>());

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(string? connectionString, string[] arguments, Dictionary<string, string> environment) =>
        ServiceCommand.RunAsync([ApiKeysCommand.Name, .. arguments], connectionString, environment);
}
