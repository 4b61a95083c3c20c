using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CallPush.Api.Features.Reconciliation;
using CallPush.Api.Persistence;
using CallPush.Tests.Infrastructure;
using CallPush.Tests.Recordings;
using Microsoft.Extensions.DependencyInjection;
using static CallPush.Tests.Reconciliation.ReconciliationTestSupport;

namespace CallPush.Tests.Reconciliation;

public sealed class ReconcileRunTests(PostgresFixture postgres)
{
    [Fact]
    public async Task AuthFailure_stops_the_run_at_once_and_is_recorded()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        await using var app = await StartAppAsync(postgres, standIn);
        standIn.Add(TelCdrs.SdkAppId, TelCdrs.TelCdr(Samples.NewSessionId(), Now - 60, Now - 10));
        standIn.AlwaysFailWith = "AuthFailure.SecretIdNotFound";

        var run = await app.ReconcileAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);

        Assert.Equal(ReconcileRun.Failed, run.Status);
        Assert.Single(standIn.ErrorsAnswered);
        Assert.Contains("AuthFailure.SecretIdNotFound", run.LastError, StringComparison.Ordinal);
        var row = Assert.Single(await app.RowsAsync("SELECT status, pages, last_error, finished_at FROM reconcile_runs"));
        Assert.Equal(("failed", 0), ((string)row["status"]!, (int)row["pages"]!));
        Assert.Contains("AuthFailure.SecretIdNotFound", (string)row["last_error"]!, StringComparison.Ordinal);
        Assert.NotNull(row["finished_at"]);
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions"));
    }

    [Fact]
    public async Task A_wrong_secret_key_is_refused_with_SignatureFailure()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        await using var app = await StartAppAsync(postgres, standIn, new() { [$"CallPush:Sources:{Source}:CloudApi:SecretKey"] = "a-wrong-secret-key" });

        var run = await app.ReconcileAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);

        Assert.Equal(ReconcileRun.Failed, run.Status);
        Assert.Equal(["AuthFailure.SignatureFailure"], standIn.ErrorsAnswered);
        Assert.StartsWith("AuthFailure.SignatureFailure", run.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_reads_every_page_and_backs_off_on_RequestLimitExceeded_and_InternalError()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        await using var app = await StartAppAsync(postgres, standIn, new() { ["CallPush:Reconciliation:MaxAttempts"] = "8" });
        var start = Now - 3000;
        for (var i = 0; i < 250; i++)
        {
            standIn.Add(TelCdrs.SdkAppId, TelCdrs.TelCdr(Samples.NewSessionId(), start + i, start + 500 + i));
        }
        standIn.RequestsPerSecond = 1;
        standIn.FailNext("InternalError");

        var run = await app.ReconcileAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);

        Assert.Equal(ReconcileRun.Succeeded, run.Status);
        Assert.Equal((3, 250, 250, 250), (run.Pages, run.SessionsSeen, run.Missing, run.Filled));
        Assert.Equal([0, 1, 2], standIn.Pages.Select(p => p.PageNumber).Distinct().Order());
        Assert.Contains("InternalError", standIn.ErrorsAnswered);
        Assert.Contains("RequestLimitExceeded", standIn.ErrorsAnswered);
        Assert.Equal(250L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions"));
    }

    [Fact]
    public async Task The_client_keeps_under_twenty_requests_a_second()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        await using var app = await StartAppAsync(postgres, standIn, new() { ["CallPush:Reconciliation:PageSize"] = "1" });
        var start = Now - 3000;
        for (var i = 0; i < 45; i++)
        {
            standIn.Add(TelCdrs.SdkAppId, TelCdrs.TelCdr(Samples.NewSessionId(), start + i, start + 500 + i));
        }

        var run = await app.ReconcileAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);

        Assert.Equal((ReconcileRun.Succeeded, 45, 45), (run.Status, run.Pages, run.Filled));
        Assert.Empty(standIn.ErrorsAnswered);
    }

    [Fact]
    public void Windows_the_API_refuses_are_refused_before_asking()
    {
        var now = DateTimeOffset.UtcNow;

        Assert.Null(TelCdrClient.WindowProblem(now.AddDays(-100), now.AddDays(-11), now));
        Assert.NotNull(TelCdrClient.WindowProblem(now.AddDays(-90), now, now));
        Assert.NotNull(TelCdrClient.WindowProblem(now.AddDays(-181), now.AddDays(-170), now));
        Assert.NotNull(TelCdrClient.WindowProblem(now, now, now));
    }

    [Fact]
    public async Task One_run_per_source_at_a_time_and_a_run_left_running_is_marked_abandoned()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        await using var app = await StartAppAsync(postgres, standIn);
        var otherSettings = standIn.SourceSettings(Source, TelCdrs.SdkAppId);
        otherSettings["CallPush:Reconciliation:Schedule"] = "false"; // a scheduled window would take the source's lock first
        await using var other = new CallPushApp(app.ConnectionString, otherSettings);
        var window = new ReconcileWindow(Source, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow, ReconcileRun.ManualTrigger);
        var runner = app.Services.GetRequiredService<ReconciliationRunner>();
        var otherReplica = other.Services.GetRequiredService<ReconciliationRunner>();
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());

        var held = await runner.TryStartAsync(window, CancellationToken.None);
        Assert.NotNull(held);
        var second = await otherReplica.TryStartAsync(window, CancellationToken.None);
        using var conflict = await analyst.PostAsJsonAsync("/reconciliation/runs", new { source = Source, from = window.From, to = window.To });
        await held.DisposeAsync();
        var after = await otherReplica.RunAsync(window, null, CancellationToken.None);

        Assert.Null(second);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal(ReconcileRun.Succeeded, after?.Status);
        Assert.Equal("abandoned", await app.ScalarAsync<string>("SELECT status FROM reconcile_runs WHERE id = $1", held.Run.Id));
    }

    [Fact]
    public async Task The_analyst_api_starts_a_run_and_lists_it()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        await using var app = await StartAppAsync(postgres, standIn);
        standIn.Add(TelCdrs.SdkAppId, TelCdrs.TelCdr(Samples.NewSessionId(), Now - 600, Now - 500));
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        using var anonymous = app.CreateClient();
        var from = DateTimeOffset.UtcNow.AddHours(-1);
        var to = DateTimeOffset.UtcNow;

        using var started = await analyst.PostAsJsonAsync("/reconciliation/runs", new { source = Source, from, to });
        using var unknown = await analyst.PostAsJsonAsync("/reconciliation/runs", new { source = "nowhere", from, to });
        using var tooLong = await analyst.PostAsJsonAsync("/reconciliation/runs", new { source = Source, from = to.AddDays(-95), to });
        using var unauthenticated = await anonymous.PostAsJsonAsync("/reconciliation/runs", new { source = Source, from, to });
        using var listedAnonymously = await anonymous.GetAsync("/reconciliation/runs");

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, listedAnonymously.StatusCode);
        JsonElement run = default;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var list = await analyst.GetFromJsonAsync<JsonElement>($"/reconciliation/runs?source={Source}");
            run = list.GetProperty("runs").EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == id);
            if (run.GetProperty("status").GetString() != "running")
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.Equal(("succeeded", "api", 1, 1), (run.GetProperty("status").GetString(), run.GetProperty("trigger").GetString(),
            run.GetProperty("missing").GetInt32(), run.GetProperty("filled").GetInt32()));
    }

    [Fact]
    public async Task The_scheduler_runs_the_sliding_window_and_the_nightly_sweep()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        var recent = Samples.NewSessionId();
        var yesterday = Samples.NewSessionId();
        var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        standIn.Add(TelCdrs.SdkAppId, TelCdrs.TelCdr(recent, Now - 120, Now - 60));
        standIn.Add(TelCdrs.SdkAppId, TelCdrs.TelCdr(yesterday, today.AddHours(-12).ToUnixTimeSeconds(), today.AddHours(-12).ToUnixTimeSeconds() + 60));
        var settings = standIn.SourceSettings(Source, TelCdrs.SdkAppId);
        settings["CallPush:Reconciliation:Tick"] = "00:00:00.200";
        settings["CallPush:Reconciliation:Lookback"] = "00:30:00";
        settings["CallPush:Reconciliation:NightlySweepAt"] = "00:00:00";
        await using var app = await CallPushApp.StartAsync(postgres, settings);

        List<Dictionary<string, object?>> runs = [];
        for (var attempt = 0; attempt < 150 && runs.Count(r => (string)r["status"]! == "succeeded") < 2; attempt++)
        {
            await Task.Delay(100);
            runs = await app.RowsAsync("SELECT trigger, status, window_start, window_end FROM reconcile_runs ORDER BY id");
        }

        Assert.Contains(runs, r => (string)r["trigger"]! == "sliding" && (string)r["status"]! == "succeeded");
        var nightly = Assert.Single(runs, r => (string)r["trigger"]! == "nightly");
        Assert.Equal(today.AddDays(-1).UtcDateTime, (DateTime)nightly["window_start"]!);
        Assert.Equal(today.UtcDateTime, (DateTime)nightly["window_end"]!);
        Assert.Equal(2L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions WHERE session_id IN ($1, $2)", recent, yesterday));
    }

    [Theory]
    [InlineData("SecretKey", "CallPush__Sources__main__CloudApi__SecretKey")]
    [InlineData("SecretId", "CallPush__Sources__main__CloudApi__SecretId")]
    public async Task A_half_configured_source_stops_start_up_without_showing_the_secret(string missing, string key)
    {
        var settings = new Dictionary<string, string?>
        {
            ["CallPush:Sources:main:SdkAppIds:0"] = "1400482256",
            ["CallPush:Sources:main:CloudApi:SecretId"] = "AKIDvisible",
            ["CallPush:Sources:main:CloudApi:SecretKey"] = "the-secret-key-value",
        };
        settings[$"CallPush:Sources:main:CloudApi:{missing}"] = null;
        await using var app = new CallPushApp(await postgres.CreateDatabaseAsync(), settings);

        var error = Record.Exception(() => app.CreateClient());

        Assert.NotNull(error);
        Assert.Contains(key, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("the-secret-key-value", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_without_SdkAppIds_stops_start_up()
    {
        var settings = new Dictionary<string, string?> { ["CallPush:Sources:main:CloudApi:SecretId"] = "AKIDvisible", ["CallPush:Sources:main:CloudApi:SecretKey"] = "k" };
        await using var app = new CallPushApp(await postgres.CreateDatabaseAsync(), settings);

        var error = Record.Exception(() => app.CreateClient());

        Assert.Contains("CallPush__Sources__main__SdkAppIds", error?.ToString(), StringComparison.Ordinal);
    }
}
