using System.Text.Json.Nodes;
using CallPush.Api.Persistence;
using CallPush.Tests.Infrastructure;
using CallPush.Tests.Simulator;
using static CallPush.Tests.Reconciliation.ReconciliationTestSupport;

namespace CallPush.Tests.Reconciliation;

public sealed class SimulatorReconcileTests(PostgresFixture postgres)
{
    private const long SimulatorSdkAppId = 1400123456;

    [Fact]
    public async Task Load_with_drops_then_a_reconciliation_leaves_exactly_the_platforms_sessions()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        var settings = standIn.SourceSettings(Source, SimulatorSdkAppId);
        settings["CallPush:Reconciliation:Schedule"] = "false";
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        var folder = Directory.CreateTempSubdirectory("callpush-drop-").FullName;
        var manifest = Path.Combine(folder, "manifest.jsonl");
        var platform = Path.Combine(folder, "platform.jsonl");

        var (exitCode, output) = await SimulatorRun.RunAsync(app, "load", "--url", "http://localhost/push", "--count", "120", "--concurrency", "8",
            "--drop", "0.3", "--duplicates", "0.1", "--cdr-repushes", "0.1", "--retry-delay", "0", "--seed", "21",
            "--manifest", manifest, "--platform-cdrs", platform);
        Assert.True(exitCode == 0, output);
        Assert.Contains("dropped before sending", output, StringComparison.Ordinal);
        var platformSessions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in await File.ReadAllLinesAsync(platform))
        {
            var cdr = JsonNode.Parse(line)!.AsObject();
            Assert.Equal(SimulatorSdkAppId, (long)cdr["SdkAppId"]!);
            platformSessions.Add((string)cdr["SessionId"]!);
            standIn.Add(SimulatorSdkAppId, TelCdrs.TelCdrOf(cdr));
        }
        var before = await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions");

        var run = await app.ReconcileAsync(DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.Equal(120, platformSessions.Count);
        Assert.InRange(before, 1, 119);
        Assert.Equal(ReconcileRun.Succeeded, run.Status);
        Assert.Equal((120, 120 - (int)before, 120 - (int)before, 0), (run.SessionsSeen, run.Missing, run.Filled, run.Errors));
        var stored = (await app.RowsAsync("SELECT sdk_app_id, session_id FROM call_sessions")).ToList();
        Assert.Equal(120, stored.Count);
        Assert.All(stored, r => Assert.Equal(SimulatorSdkAppId, (long)r["sdk_app_id"]!));
        Assert.Equal(platformSessions.Order(StringComparer.Ordinal), stored.Select(r => (string)r["session_id"]!).Order(StringComparer.Ordinal));
        Directory.Delete(folder, recursive: true);
    }
}
