using System.Net;
using System.Text.Json;
using CallPush.Api.Features.ApiKeys;
using CallPush.Tests.Infrastructure;
using CallPush.Tests.Recordings;
using CallPush.Tests.StatisticsChannel;
using Microsoft.Extensions.DependencyInjection;
using static CallPush.Tests.Tenants.TenantTestSupport;

namespace CallPush.Tests.Tenants;

public sealed class LimitedKeyTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Create_refuses_an_unknown_source_and_list_shows_the_sources_of_a_limited_key()
    {
        var connectionString = await postgres.CreateDatabaseAsync();

        var unknown = await ServiceCommand.RunAsync(["api-keys", "create", "--name", "bi", "--source", "nowhere"], connectionString, SourceVariables());
        var created = await ServiceCommand.RunAsync(["api-keys", "create", "--name", "bi", "--source", "ACME", "--source=other"], connectionString,
            SourceVariables());
        var list = await ServiceCommand.RunAsync(["api-keys", "list"], connectionString, SourceVariables());

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no source is named 'nowhere'", unknown.Error);
        Assert.Equal("", unknown.Output);
        Assert.True(created.ExitCode == 0, created.Error);
        Assert.StartsWith("cpk_", created.Output.Trim());
        var row = Assert.Single(list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("bi ", StringComparison.Ordinal));
        Assert.Equal("acme,other", row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]);
    }

    [Fact]
    public async Task A_limited_key_lists_and_reads_only_its_instances_recordings_and_gets_403_for_others()
    {
        var folder = RecordingTestSupport.TemporaryFolder();
        await using var app = await CallPushApp.StartAsync(postgres, RecordingTestSupport.Settings(folder, Sources()));
        var sessionId = Samples.NewSessionId();
        var id = await app.ArchiveAsync(RecordingTestSupport.Mp3Bytes(1000), sessionId);
        var store = app.Services.GetRequiredService<ApiKeyStore>();
        using var acme = app.AnalystClient((await store.CreateAsync("acme", ["acme"], CancellationToken.None)).Key);
        using var other = app.AnalystClient((await store.CreateAsync("other", ["other"], CancellationToken.None)).Key);

        using var ownList = await acme.GetAsync($"/recordings?sdkAppId={Acme}&sessionId={sessionId}");
        using var ownContent = await acme.GetAsync($"/recordings/{id}/content");
        using var foreignList = await other.GetAsync($"/recordings?sdkAppId={Acme}&sessionId={sessionId}");
        using var foreignContent = await other.GetAsync($"/recordings/{id}/content");

        Assert.Equal(HttpStatusCode.OK, ownList.StatusCode);
        Assert.Single(JsonDocument.Parse(await ownList.Content.ReadAsStringAsync()).RootElement.GetProperty("recordings").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, ownContent.StatusCode);
        Assert.Equal(1000, (await ownContent.Content.ReadAsByteArrayAsync()).Length);
        foreach (var refused in new[] { foreignList, foreignContent })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            using var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Contains("limited", Assert.Single(body.RootElement.EnumerateObject(), p => p.Name == "error").Value.GetString());
        }
    }

    [Fact]
    public async Task A_limited_keys_statistics_statements_run_as_a_restricted_login_and_see_only_its_rows()
    {
        var loginRole = NewRole("callpush_stats_limited");
        var settings = Sources();
        settings["CallPush:StatisticsChannel:ManageLoginRole"] = "true";
        settings["CallPush:StatisticsChannel:LoginRole"] = loginRole;
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        await PushBothAsync(app);
        var store = app.Services.GetRequiredService<ApiKeyStore>();
        using var limited = app.AnalystClient((await store.CreateAsync("acme", ["acme"], CancellationToken.None)).Key);
        using var everything = app.AnalystClient((await store.CreateAsync("all", CancellationToken.None)).Key);
        const string Seen = """
            select (select array_agg(distinct sdk_app_id order by sdk_app_id) from call_sessions) as sessions,
                   (select array_agg(distinct sdk_app_id order by sdk_app_id) from calls) as calls,
                   (select array_agg(distinct sdk_app_id order by sdk_app_id) from skill_group_day) as days,
                   session_user as login
            """;

        var mine = await limited.StatsAsync("data", Seen);
        var all = await everything.StatsAsync("data", Seen);

        Assert.True(mine.Success, mine.Error);
        var row = Assert.Single(mine.Data.EnumerateArray());
        Assert.Equal($"{loginRole}_acme", row.GetProperty("login").GetString());
        foreach (var column in new[] { "sessions", "calls", "days" })
        {
            Assert.Equal([Acme], row.GetProperty(column).EnumerateArray().Select(e => e.GetInt64()));
        }
        Assert.True(all.Success, all.Error);
        Assert.Equal([Other, Acme], Assert.Single(all.Data.EnumerateArray()).GetProperty("sessions").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Theory]
    [InlineData("select set_config('role', 'callpush_reader', false) as r, (select array_agg(distinct sdk_app_id) from call_sessions) as ids")]
    [InlineData("with escalated as (select set_config('role', 'callpush_reader', true) as r) select r, (select array_agg(distinct sdk_app_id) from call_sessions) as ids from escalated")]
    [InlineData("select set_config('role', 'callpush_tenant_reader', false) as r, (select array_agg(distinct sdk_app_id) from call_sessions) as ids")]
    [InlineData("select set_config('role', 'none', false) as r, (select array_agg(distinct sdk_app_id) from call_sessions) as ids")]
    [InlineData("select set_config('session_authorization', 'postgres', false) as r, (select array_agg(distinct sdk_app_id) from call_sessions) as ids")]
    [InlineData("select 1 as r, array_agg(sdk_app_id) as ids from tenant_reader_grants")]
    [InlineData("select 1 as r, array_agg(distinct sdk_app_id) as ids from call_sessions where pg_catalog.set_config('role', 'callpush_reader', true) is not null")]
    public async Task Escape_attempts_in_a_limited_keys_statement_never_show_another_instances_rows(string psql)
    {
        var settings = Sources();
        settings["CallPush:StatisticsChannel:ManageLoginRole"] = "true";
        settings["CallPush:StatisticsChannel:LoginRole"] = NewRole("callpush_stats_hostile");
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        await PushBothAsync(app);
        using var limited = app.AnalystClient((await app.Services.GetRequiredService<ApiKeyStore>().CreateAsync("acme", ["acme"], CancellationToken.None)).Key);

        var reply = await limited.StatsAsync("data", psql);
        var after = await limited.StatsAsync("data", "select array_agg(distinct sdk_app_id) as ids, current_user as who from call_sessions");

        if (reply.Success)
        {
            var ids = Assert.Single(reply.Data.EnumerateArray()).GetProperty("ids");
            Assert.True(ids.ValueKind == JsonValueKind.Null || ids.EnumerateArray().All(e => e.GetInt64() == Acme), ids.ToString());
        }
        else
        {
            Assert.Contains(reply.Status, new[] { 400, 403 });
        }
        Assert.True(after.Success, after.Error);
        Assert.Equal([Acme], Assert.Single(after.Data.EnumerateArray()).GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public async Task A_limited_key_gets_503_when_the_channel_has_no_restricted_login_for_it()
    {
        await using var app = await StatisticsTestSupport.StartAppAsync(postgres, Sources());
        using var limited = app.AnalystClient((await app.Services.GetRequiredService<ApiKeyStore>().CreateAsync("acme", ["acme"], CancellationToken.None)).Key);

        var reply = await limited.StatsAsync("data", "select count(*) from call_sessions");

        Assert.Contains("limited to sources", reply.AssertFailure(503));
    }

    [Fact]
    public async Task A_limited_key_lists_only_its_sources_reconciliation_runs_and_may_not_start_another_sources_run_nor_reprocess()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Sources());
        foreach (var source in new[] { "acme", "other" })
        {
            await app.ScalarAsync<int>("""
                INSERT INTO reconcile_runs (source, trigger, window_start, window_end, status, pages, sessions_seen, missing, filled, updated, errors, started_at)
                VALUES ($1, 'manual', now() - interval '1 hour', now(), 'succeeded', 1, 0, 0, 0, 0, 0, now())
                """, source);
        }
        using var limited = app.AnalystClient((await app.Services.GetRequiredService<ApiKeyStore>().CreateAsync("acme", ["acme"], CancellationToken.None)).Key);

        using var list = await limited.GetAsync("/reconciliation/runs");
        using var foreign = await limited.PostAsync("/reconciliation/runs", new StringContent(
            """{"source":"other","from":"2026-12-01T08:00:00Z","to":"2026-12-01T09:00:00Z"}""", System.Text.Encoding.UTF8, "application/json"));
        using var reprocess = await limited.PostAsync("/reprocessing", new StringContent(
            """{"from":"2026-12-01T08:00:00Z","to":"2026-12-01T09:00:00Z"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var runs = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        var sources = runs.RootElement.EnumerateObject().Single(p => p.Value.ValueKind == JsonValueKind.Array).Value.EnumerateArray()
            .Select(r => r.GetProperty("source").GetString()).ToList();
        Assert.Equal(["acme"], sources);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Contains("limited to other sources", await foreign.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, reprocess.StatusCode); // reprocessing spans every instance's pushes
    }

    [Fact]
    public async Task A_limited_key_sees_only_export_jobs_and_runs_of_its_sources_and_may_not_create_a_job_for_another()
    {
        var root = Exports.ExportTestSupport.NewRoot();
        var settings = Exports.ExportTestSupport.Settings(root);
        foreach (var (key, value) in Sources())
        {
            settings[key] = value;
        }
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        var store = app.Services.GetRequiredService<ApiKeyStore>();
        using var everything = app.AnalystClient((await store.CreateAsync("all", CancellationToken.None)).Key);
        using var limited = app.AnalystClient((await store.CreateAsync("acme", ["acme"], CancellationToken.None)).Key);
        var connector = await Exports.ExportTestSupport.CreateFolderConnectorAsync(everything, root);
        object Job(string name, long tenant) => new { name, connectorId = connector, containers = new[] { "agents" }, tenants = new[] { tenant }, enabled = false };
        var own = await Exports.ExportTestSupport.CreateJobAsync(everything, Job("acme-job", Acme));
        var foreign = await Exports.ExportTestSupport.CreateJobAsync(everything, Job("other-job", Other));
        var foreignRun = await Exports.ExportTestSupport.StartRunAsync(everything, foreign);

        var listed = JsonDocument.Parse(await limited.GetStringAsync("/exports/jobs")).RootElement.EnumerateArray()
            .Select(j => j.GetProperty("id").GetInt64()).ToList();
        using var job = await limited.GetAsync($"/exports/jobs/{foreign}");
        using var runs = await limited.GetAsync($"/exports/jobs/{foreign}/runs");
        using var run = await limited.GetAsync($"/exports/runs/{foreignRun}");
        using var start = await limited.PostAsync($"/exports/jobs/{foreign}/runs", null);
        using var create = await limited.PostAsync("/exports/jobs", JsonContent(Job("sneaky", Other)));
        using var createOwn = await limited.PostAsync("/exports/jobs", JsonContent(Job("acme-own", Acme)));

        Assert.Equal([own], listed);
        foreach (var hidden in new[] { job, runs, run, start })
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Contains("limited to", await create.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, createOwn.StatusCode);
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
