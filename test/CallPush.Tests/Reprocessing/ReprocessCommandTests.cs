using System.Globalization;
using CallPush.Api.Features.Reprocessing;
using CallPush.Tests.Infrastructure;
using static CallPush.Tests.Reprocessing.ReprocessingTestSupport;

namespace CallPush.Tests.Reprocessing;

public sealed class ReprocessCommandTests(PostgresFixture postgres)
{
    [Fact]
    public async Task The_command_accepts_what_today_s_parser_accepts_prints_a_summary_and_a_second_run_changes_nothing()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        var sessionId = Samples.NewSessionId();
        await app.StoreRejectedAsync("old-parser-cdr", "cdr", LenientCdr(sessionId, 1_700_000_100, "caller"), 4003, "body is not valid JSON",
            DateTimeOffset.UtcNow.AddHours(-1));
        var from = DateTimeOffset.UtcNow.AddHours(-2).ToString("o", CultureInfo.InvariantCulture);
        var to = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture);

        var (exitCode, output, error) = await ServiceCommand.RunAsync(
            [ReprocessCommand.Name, "--from", from, "--to", to, "--action", "cdr", "--status", "rejected"], app.ConnectionString);
        var (againExitCode, again, againError) = await ServiceCommand.RunAsync([ReprocessCommand.Name, "--from", from, "--to", to], app.ConnectionString);

        Assert.True(exitCode == 0, output + error);
        Assert.Contains("1/1 pushes:", output, StringComparison.Ordinal);
        Assert.Contains("Reprocessed: 1 seen, 1 now accepted, 0 still rejected, 1 changed sessions", output, StringComparison.Ordinal);
        Assert.True(againExitCode == 0, again + againError);
        Assert.Contains("Reprocessed: 1 seen, 0 now accepted, 0 still rejected, 0 changed sessions", again, StringComparison.Ordinal);
        Assert.Equal("caller", await app.ScalarAsync<string>("SELECT caller FROM call_sessions WHERE session_id = $1", sessionId));
    }

    [Theory]
    [InlineData(new[] { "--to", "2026-12-01T09:00:00Z" }, "from is missing or not a time")]
    [InlineData(new[] { "--from", "2026-12-01T08:00:00Z" }, "to is missing or not a time")]
    [InlineData(new[] { "--from", "soon", "--to", "2026-12-01T09:00:00Z" }, "from is missing or not a time")]
    [InlineData(new[] { "--from", "2026-12-01T09:00:00Z", "--to", "2026-12-01T08:00:00Z" }, "from must be before to")]
    [InlineData(new[] { "--from", "2026-12-01T08:00:00Z", "--to", "2026-12-01T09:00:00Z", "--action", "fax" }, "action 'fax' is unknown")]
    [InlineData(new[] { "--from", "2026-12-01T08:00:00Z", "--to", "2026-12-01T09:00:00Z", "--status", "lost" }, "status 'lost' is unknown")]
    [InlineData(new[] { "--from", "2026-12-01T08:00:00Z", "--to", "2026-12-01T09:00:00Z", "--since" }, "reprocess --from <time> --to <time>")]
    public async Task Bad_input_is_explained_with_exit_code_2(string[] arguments, string message)
    {
        var (exitCode, _, error) = await ServiceCommand.RunAsync([ReprocessCommand.Name, .. arguments], connectionString: null);

        Assert.Equal(ReprocessCommand.UsageExitCode, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
