using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CallPush.Api.Features.Exports;
using CallPush.Tests.Infrastructure;
using CallPush.Tests.Recordings;
using Microsoft.Extensions.DependencyInjection;
using static CallPush.Tests.Exports.ExportTestSupport;

namespace CallPush.Tests.Exports;

/// <summary>Runs as jobs: one at a time per job, recovered after a crash, and late data exported again.</summary>
public sealed class ExportRunTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _root = NewRoot();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static object Job(long connector, string name = "job", bool enabled = false, string? startDate = null) => new
    {
        name,
        connectorId = connector,
        containers = new[] { "calls" },
        tenants = new[] { SdkAppId },
        timeZone = "UTC",
        frequency = "daily",
        at = "02:00",
        enabled,
        startDate,
    };

    [Fact]
    public async Task Colliding_manual_and_scheduled_runs_give_one_execution_and_the_others_are_told_which()
    {
        // No scheduler in this process: the first run stays pending, as if it were running.
        await using var app = await CallPushApp.StartAsync(postgres, Settings(_root, ("SchedulerEnabled", "false")));
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        var job = await analyst.CreateJobAsync(Job(await analyst.CreateFolderConnectorAsync("out")));

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => analyst.PostAsync($"/exports/jobs/{job}/runs", null)));

        var accepted = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Accepted);
        var runId = (await accepted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        foreach (var refused in answers.Where(a => a != accepted))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal(runId, (await refused.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!.GetValue<long>());
        }

        await app.ScalarAsync<int>("UPDATE export_jobs SET enabled = true, next_run_at = now() - interval '1 second' RETURNING 1");
        var started = await app.Services.GetRequiredService<ExportRunQueue>().StartDueJobsAsync(CancellationToken.None);

        var (jobId, scheduledRun, activeRun) = Assert.Single(started);
        Assert.Equal(job, jobId);
        Assert.Null(scheduledRun);
        Assert.Equal(runId, activeRun);
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM export_runs"));
        Assert.True(await app.ScalarAsync<bool>("SELECT next_run_at > now() FROM export_jobs"), "the occurrence is used up, not retried at once");
    }

    [Fact]
    public async Task A_run_left_processing_by_a_crashed_replica_is_resumed_after_its_lease_and_abandoned_after_too_many_attempts()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings(_root, ("SchedulerEnabled", "false")));
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        var connector = await analyst.CreateFolderConnectorAsync("out");
        var crashed = await analyst.CreateJobAsync(Job(connector, "crashed"));
        var hopeless = await analyst.CreateJobAsync(Job(connector, "hopeless"));
        var running = await analyst.CreateJobAsync(Job(connector, "running"));
        const string insert = """
            INSERT INTO export_runs (job_id, triggered_by, status, from_day, to_day, created_at, started_at, attempts, rows, bytes, lease_owner, lease_until)
            VALUES ($1, 'schedule', 'processing', '2026-03-01', '2026-03-01', now(), now(), $2, 0, 0, 'dead-replica', now() + $3::interval)
            RETURNING id
            """;
        var crashedRun = await app.ScalarAsync<long>(insert, crashed, 1, "-1 minute");
        var hopelessRun = await app.ScalarAsync<long>(insert, hopeless, 3, "-1 minute");
        var runningRun = await app.ScalarAsync<long>(insert, running, 1, "10 minutes");

        // A replica starts (here: the scheduler of a second service on the same database).
        await using var restarted = new CallPushApp(app.ConnectionString, Settings(_root));
        await restarted.WaitUntilReadyAsync();

        var resumed = await analyst.WaitForRunAsync(crashedRun);
        Assert.Equal("success", resumed["status"]!.GetValue<string>());
        Assert.Equal(2, resumed["attempts"]!.GetValue<int>());
        var abandoned = await analyst.WaitForRunAsync(hopelessRun);
        Assert.Equal("handler_failed", abandoned["status"]!.GetValue<string>());
        Assert.Contains("abandoned after 3 attempts", abandoned["error"]!.GetValue<string>());
        Assert.Equal("processing", await app.ScalarAsync<string>("SELECT status FROM export_runs WHERE id = $1", runningRun));
    }

    [Fact]
    public async Task A_late_or_pushed_again_CDR_makes_the_next_run_export_its_day_again()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings(_root));
        using var pusher = app.CreateClient();
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var yesterday = today.AddDays(-1);
        var dayBefore = today.AddDays(-2);
        DateTimeOffset At(DateOnly day, int hour) => new(day.ToDateTime(new TimeOnly(hour, 0)), TimeSpan.Zero);
        await pusher.PushCdrAsync(Cdr("a", At(yesterday, 10), cdr => cdr["UserRemark"] = "first"));
        await pusher.PushCdrAsync(Cdr("b", At(dayBefore, 10)));
        var job = await analyst.CreateJobAsync(Job(await analyst.CreateFolderConnectorAsync("out"), startDate: dayBefore.ToString("yyyy-MM-dd")));

        var first = await analyst.WaitForRunAsync(await analyst.StartRunAsync(job));
        Assert.Equal("success", first["status"]!.GetValue<string>());
        Assert.Equal([dayBefore.ToString("yyyy-MM-dd"), yesterday.ToString("yyyy-MM-dd")], first["days"]!.AsArray().Select(d => d!.GetValue<string>()));

        var nothingNew = await analyst.WaitForRunAsync(await analyst.StartRunAsync(job));
        Assert.Equal("success", nothingNew["status"]!.GetValue<string>());
        Assert.Empty(nothingNew["days"]!.AsArray());

        await pusher.PushCdrAsync(Cdr("a", At(yesterday, 10), cdr => cdr["UserRemark"] = "pushed again"));
        await pusher.PushCdrAsync(Cdr("c", At(dayBefore, 23)));
        var late = await analyst.WaitForRunAsync(await analyst.StartRunAsync(job));

        Assert.Equal("success", late["status"]!.GetValue<string>());
        Assert.Equal([dayBefore.ToString("yyyy-MM-dd"), yesterday.ToString("yyyy-MM-dd")], late["days"]!.AsArray().Select(d => d!.GetValue<string>()));
        var folder = Path.Combine(_root, "out", $"CCAAS/FACTS/{SdkAppId}-calls-F");
        Assert.Equal([["a", "pushed again"]],
            Columns(await ReadCsvAsync(Path.Combine(folder, $"{yesterday:yyyyMMdd}-{SdkAppId}-calls-F.csv")), "session_id", "user_remark"));
        Assert.Equal([["b"], ["c"]], Columns(await ReadCsvAsync(Path.Combine(folder, $"{dayBefore:yyyyMMdd}-{SdkAppId}-calls-F.csv")), "session_id"));
        Assert.True(await app.ScalarAsync<bool>("SELECT watermark IS NOT NULL FROM export_runs WHERE id = $1", late["id"]!.GetValue<long>()));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "out"), "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Jobs_declared_in_configuration_are_created_at_start_up_and_changed_only_there()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings(_root,
            ("Connectors:local:Kind", "folder"), ("Connectors:local:Path", "declared"),
            ("Jobs:nightly:Connector", "local"), ("Jobs:nightly:Containers:0", "calls"), ("Jobs:nightly:Containers:1", "agents"),
            ("Jobs:nightly:Tenants:0", SdkAppId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Jobs:nightly:TimeZone", "Asia/Shanghai"), ("Jobs:nightly:Frequency", "daily"), ("Jobs:nightly:At", "02:30")));
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());

        JsonArray jobs = [];
        for (var i = 0; i < 100 && jobs.Count == 0; i++)
        {
            jobs = (await analyst.GetFromJsonAsync<JsonArray>("/exports/jobs"))!;
            await Task.Delay(100);
        }

        var job = Assert.Single(jobs)!.AsObject();
        Assert.Equal("config", job["source"]!.GetValue<string>());
        var next = job["nextRunAt"]!.GetValue<DateTimeOffset>();
        Assert.Equal(new TimeSpan(18, 30, 0), next.UtcDateTime.TimeOfDay);
        using var put = await analyst.PutAsJsonAsync($"/exports/jobs/{job["id"]}", new { name = "x" });
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
    }

    [Fact]
    public async Task Bad_jobs_and_run_requests_are_refused_with_the_reason()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings(_root, ("SchedulerEnabled", "false")));
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        using var anonymous = app.CreateClient();
        var connector = await analyst.CreateFolderConnectorAsync("out");

        using var noKey = await anonymous.GetAsync("/exports/jobs");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        foreach (var (body, reason) in new (object, string)[]
        {
            (new { name = "x", connectorId = connector, containers = new[] { "calls" }, tenants = new[] { SdkAppId }, timeZone = "Mars/Olympus" }, "timeZone"),
            (new { name = "x", connectorId = connector, containers = new[] { "stat_nothing" }, tenants = new[] { SdkAppId } }, "unknown container"),
            (new { name = "x", connectorId = connector, containers = new[] { "calls" }, tenants = new[] { SdkAppId }, frequency = "cron", cron = "not cron" }, "cron"),
            (new { name = "x", connectorId = 999, containers = new[] { "calls" }, tenants = new[] { SdkAppId } }, "no connector"),
        })
        {
            using var response = await analyst.PostAsJsonAsync("/exports/jobs", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(reason, await response.Content.ReadAsStringAsync());
        }
        var job = await analyst.CreateJobAsync(Job(connector));
        using var backwards = await analyst.PostAsJsonAsync($"/exports/jobs/{job}/runs", new { from = "2026-03-09", to = "2026-03-01" });
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        using var unknown = await analyst.PostAsync("/exports/jobs/999/runs", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
