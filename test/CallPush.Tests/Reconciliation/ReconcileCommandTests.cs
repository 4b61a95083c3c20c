using System.Globalization;
using CallPush.Api.Features.Reconciliation;
using CallPush.Tests.Infrastructure;
using static CallPush.Tests.Reconciliation.ReconciliationTestSupport;

namespace CallPush.Tests.Reconciliation;

public sealed class ReconcileCommandTests(PostgresFixture postgres)
{
    [Fact]
    public async Task The_command_reconciles_a_window_and_prints_a_line_per_page_when_not_on_a_terminal()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        var start = Now - 1200;
        for (var i = 0; i < 3; i++)
        {
            standIn.Add(TelCdrs.SdkAppId, TelCdrs.TelCdr(Samples.NewSessionId(), start + i, start + 100 + i));
        }
        var connectionString = await postgres.CreateDatabaseAsync();
        var environment = standIn.SourceSettings(Source, TelCdrs.SdkAppId).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        var from = DateTimeOffset.UtcNow.AddHours(-1).ToString("o", CultureInfo.InvariantCulture);
        var to = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture);

        var (exitCode, output, error) = await ServiceCommand.RunAsync([ReconcileCommand.Name, "--source", Source, "--from", from, "--to", to],
            connectionString, environment);
        var (usage, _, usageError) = await ServiceCommand.RunAsync([ReconcileCommand.Name, "--source", Source], connectionString, environment);
        var (unknown, _, unknownError) = await ServiceCommand.RunAsync([ReconcileCommand.Name, "--source", "elsewhere", "--from", from, "--to", to],
            connectionString, environment);

        Assert.True(exitCode == 0, output + error);
        Assert.Contains($"SdkAppId {TelCdrs.SdkAppId}: 3/3 sessions read, page 1, 3 missing, 3 filled", output, StringComparison.Ordinal);
        Assert.Contains("succeeded: 1 pages, 3 sessions seen, 3 missing, 3 filled, 0 updated, 0 errors", output, StringComparison.Ordinal);
        Assert.DoesNotContain(CloudApiStandIn.SecretKey, output + error, StringComparison.Ordinal);
        Assert.Equal(ReconcileCommand.UsageExitCode, usage);
        Assert.Contains("reconcile --source <name> --from <time> --to <time>", usageError, StringComparison.Ordinal);
        Assert.Equal(ReconcileCommand.UsageExitCode, unknown);
        Assert.Contains("no source is named 'elsewhere'", unknownError, StringComparison.Ordinal);
        await using var app = new CallPushApp(connectionString);
        Assert.Equal(3L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions"));
        Assert.Equal("manual", await app.ScalarAsync<string>("SELECT trigger FROM reconcile_runs"));
    }
}
