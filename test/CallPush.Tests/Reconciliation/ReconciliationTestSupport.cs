using CallPush.Api.Features.Reconciliation;
using CallPush.Api.Persistence;
using CallPush.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CallPush.Tests.Reconciliation;

public static class ReconciliationTestSupport
{
    public const string Source = "main";

    /// <summary>A service whose source "main" reads the stand-in, with no scheduled windows and quick backoff.</summary>
    public static Task<CallPushApp> StartAppAsync(PostgresFixture postgres, CloudApiStandIn standIn, Dictionary<string, string?>? more = null)
    {
        var settings = standIn.SourceSettings(Source, TelCdrs.SdkAppId);
        settings["CallPush:Reconciliation:Schedule"] = "false";
        settings["CallPush:Reconciliation:RetryDelay"] = "00:00:00.100";
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        return CallPushApp.StartAsync(postgres, settings);
    }

    /// <summary>Runs a window of "main" in the test's process, as the scheduler would.</summary>
    public static async Task<ReconcileRun> ReconcileAsync(this CallPushApp app, DateTimeOffset from, DateTimeOffset to)
    {
        var runner = app.Services.GetRequiredService<ReconciliationRunner>();
        var run = await runner.RunAsync(new ReconcileWindow(Source, from, to, ReconcileRun.ManualTrigger), null, CancellationToken.None);
        return run ?? throw new InvalidOperationException("another run of the source held its lock");
    }

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
