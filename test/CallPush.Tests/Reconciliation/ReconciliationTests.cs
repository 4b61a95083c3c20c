using CallPush.Api.Persistence;
using CallPush.Tests.Infrastructure;
using static CallPush.Tests.Reconciliation.ReconciliationTestSupport;

namespace CallPush.Tests.Reconciliation;

public sealed class ReconciliationTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_run_fills_missing_sessions_updates_older_ones_and_leaves_newer_ones()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        await using var app = await StartAppAsync(postgres, standIn);
        using var client = app.CreateClient();
        var start = Now - 3600;
        string same = Samples.NewSessionId(), older = Samples.NewSessionId(), newer = Samples.NewSessionId(), lost = Samples.NewSessionId();
        foreach (var session in new[] { same, older, newer, lost })
        {
            standIn.Add(TelCdrs.SdkAppId, TelCdrs.TelCdr(session, start, start + 120));
        }
        Assert.Equal(0, (await client.PushAndReadAsync("cdr", TelCdrs.Push(same, start, start + 120).ToJsonString(), "push-same")).ErrCode);
        Assert.Equal(0, (await client.PushAndReadAsync("cdr", TelCdrs.Push(older, start, start + 60).ToJsonString(), "push-older")).ErrCode);
        Assert.Equal(0, (await client.PushAndReadAsync("cdr", TelCdrs.Push(newer, start, start + 300).ToJsonString(), "push-newer")).ErrCode);

        var run = await app.ReconcileAsync(DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow);

        Assert.Equal(ReconcileRun.Succeeded, run.Status);
        Assert.Equal((4, 1, 1, 1, 0), (run.SessionsSeen, run.Missing, run.Filled, run.Updated, run.Errors));
        var ended = (await app.RowsAsync("SELECT session_id, ended_at FROM call_sessions"))
            .ToDictionary(r => (string)r["session_id"]!, r => ((DateTime)r["ended_at"]!).Subtract(DateTime.UnixEpoch).TotalSeconds);
        Assert.Equal(4, ended.Count);
        Assert.Equal(start + 120, ended[same]);
        Assert.Equal(start + 120, ended[older]);
        Assert.Equal(start + 300, ended[newer]);
        Assert.Equal(start + 120, ended[lost]);

        var reconciled = await app.RowsAsync("SELECT dedup_key, action, session_id FROM push_log WHERE source = 'reconcile' ORDER BY action, session_id");
        Assert.Contains(reconciled, r => (string)r["dedup_key"]! == $"reconcile:{TelCdrs.SdkAppId}:{lost}:{start + 120}" && (string)r["action"]! == "cdr");
        Assert.Contains(reconciled, r => (string)r["dedup_key"]! == $"reconcile:{TelCdrs.SdkAppId}:{older}:{start + 120}");
        Assert.DoesNotContain(reconciled, r => (string)r["session_id"]! == same || (string)r["session_id"]! == newer);
        Assert.Equal("push", await app.ScalarAsync<string>("SELECT source FROM push_log WHERE dedup_key = 'push-same'"));
        Assert.Equal(Source, await app.ScalarAsync<string>("SELECT DISTINCT source_name FROM push_log WHERE source = 'reconcile'"));
        Assert.Null(await app.ScalarAsync<string>("SELECT source_name FROM push_log WHERE dedup_key = 'push-same'"));

        // The lost session is stored as a push would be: participants, keys, the agent, and its recordings queued for the archive.
        Assert.Equal(1L, await app.ScalarAsync<long>(
            "SELECT count(*) FROM serve_participants sp JOIN call_sessions s ON s.id = sp.call_session_id WHERE s.session_id = $1", lost));
        Assert.Equal(2L, await app.ScalarAsync<long>(
            "SELECT count(*) FROM ivr_key_presses k JOIN call_sessions s ON s.id = k.call_session_id WHERE s.session_id = $1", lost));
        Assert.Equal("order-42", await app.ScalarAsync<string>("SELECT uui FROM call_sessions WHERE session_id = $1", lost));
        Assert.Equal("vip", await app.ScalarAsync<string>("SELECT user_remark FROM call_sessions WHERE session_id = $1", lost));
        var files = await app.RowsAsync("SELECT kind, record_id, endpoint_user, source_url FROM recording_files WHERE session_id = $1 ORDER BY record_id", lost);
        var userSide = Assert.Single(files);
        Assert.Equal(("record", "user-rec-" + lost, "008613800000001"), ((string)userSide["kind"]!, (string)userSide["record_id"]!, (string)userSide["endpoint_user"]!));

        var row = Assert.Single(await app.RowsAsync("SELECT status, source, trigger, pages, sessions_seen, missing, filled, updated, errors, finished_at FROM reconcile_runs"));
        Assert.Equal(("succeeded", Source, "manual", 1, 4, 1, 1, 1, 0),
            ((string)row["status"]!, (string)row["source"]!, (string)row["trigger"]!, (int)row["pages"]!, (int)row["sessions_seen"]!,
             (int)row["missing"]!, (int)row["filled"]!, (int)row["updated"]!, (int)row["errors"]!));
        Assert.NotNull(row["finished_at"]);
    }

    [Fact]
    public async Task A_second_run_over_the_same_window_changes_nothing()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        await using var app = await StartAppAsync(postgres, standIn);
        var start = Now - 600;
        for (var i = 0; i < 5; i++)
        {
            standIn.Add(TelCdrs.SdkAppId, TelCdrs.TelCdr(Samples.NewSessionId(), start + i, start + 100 + i));
        }

        var first = await app.ReconcileAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);
        var second = await app.ReconcileAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);

        Assert.Equal((5, 5), (first.Missing, first.Filled));
        Assert.Equal((5, 0, 0, 0), (second.SessionsSeen, second.Missing, second.Filled, second.Updated));
        Assert.Equal(5L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log WHERE source = 'reconcile' AND action = 'cdr'"));
    }

    [Fact]
    public async Task A_later_real_push_of_a_reconciled_cdr_changes_nothing_in_the_normalized_tables()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        await using var app = await StartAppAsync(postgres, standIn);
        using var client = app.CreateClient();
        var session = Samples.NewSessionId();
        var start = Now - 900;
        var push = TelCdrs.Push(session, start, start + 200);
        standIn.Add(TelCdrs.SdkAppId, TelCdrs.TelCdrOf(push));
        var run = await app.ReconcileAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);
        Assert.Equal(1, run.Filled);
        var before = await NormalizedAsync(app, session);

        var reply = await client.PushAndReadAsync("cdr", push.ToJsonString(), "late-real-push");

        Assert.Equal((0, "ok"), (reply.ErrCode, reply.ErrMsg));
        Assert.Equal(2L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log WHERE session_id = $1 AND action = 'cdr'", session));
        var after = await NormalizedAsync(app, session);
        Assert.Equal(before, after);
        Assert.Contains("008613800000001", before);
    }

    [Fact]
    public async Task Concurrent_pushes_and_a_run_over_the_same_sessions_converge_to_the_newest_cdr()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        await using var app = await StartAppAsync(postgres, standIn);
        using var client = app.CreateClient();
        var start = Now - 1800;
        var expected = new Dictionary<string, long>();
        var pushes = new List<(string Session, string Body)>();
        for (var i = 0; i < 30; i++)
        {
            var session = Samples.NewSessionId();
            // Even sessions: the platform's list is newer than the push; odd ones: the push is newer.
            var platformEnd = start + 100 + (i % 2 == 0 ? 50 : 0);
            var pushEnd = start + 100 + (i % 2 == 0 ? 0 : 50);
            standIn.Add(TelCdrs.SdkAppId, TelCdrs.TelCdr(session, start + i, platformEnd));
            pushes.Add((session, TelCdrs.Push(session, start + i, pushEnd).ToJsonString()));
            expected[session] = Math.Max(platformEnd, pushEnd);
        }

        var reconcile = app.ReconcileAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);
        var pushing = Task.WhenAll(pushes.Select(p => client.PushAndReadAsync("cdr", p.Body, "push-" + p.Session)));
        await Task.WhenAll(reconcile, pushing);

        Assert.All(await pushing, reply => Assert.Equal(0, reply.ErrCode));
        Assert.Equal(ReconcileRun.Succeeded, (await reconcile).Status);
        var ended = (await app.RowsAsync("SELECT session_id, ended_at FROM call_sessions"))
            .ToDictionary(r => (string)r["session_id"]!, r => (long)((DateTime)r["ended_at"]!).Subtract(DateTime.UnixEpoch).TotalSeconds);
        Assert.Equal(expected, ended);
        Assert.Equal(30L, await app.ScalarAsync<long>("SELECT count(DISTINCT session_id) FROM call_sessions"));
    }

    /// <summary>The session's normalized rows as text, without row ids, push ids and update times.</summary>
    private static async Task<string> NormalizedAsync(CallPushApp app, string session)
    {
        var parts = new List<string>();
        foreach (var sql in new[]
        {
            """
            SELECT to_jsonb(s) - 'id' - 'cdr_push_id' - 'updated_at' - 'seat_agent_id' AS row, a.agent_key
            FROM call_sessions s LEFT JOIN agents a ON a.id = s.seat_agent_id WHERE s.session_id = $1
            """,
            """
            SELECT to_jsonb(sp) - 'id' - 'call_session_id' - 'agent_id' AS row FROM serve_participants sp
            JOIN call_sessions s ON s.id = sp.call_session_id WHERE s.session_id = $1 ORDER BY sp.sequence
            """,
            """
            SELECT to_jsonb(k) - 'id' - 'call_session_id' AS row FROM ivr_key_presses k
            JOIN call_sessions s ON s.id = k.call_session_id WHERE s.session_id = $1 ORDER BY k.stage, k.position
            """,
            "SELECT to_jsonb(a) - 'id' - 'updated_at' - 'first_seen_at' AS row FROM agents a ORDER BY a.agent_key",
            "SELECT to_jsonb(g) - 'id' - 'updated_at' - 'first_seen_at' AS row FROM skill_groups g ORDER BY g.skill_group_id",
            // The archive's own progress (status, attempts) is not the push's doing.
            """
            SELECT kind, recording_key, record_id, endpoint_user, source_url, enqueued_at, recorded_at
            FROM recording_files f WHERE f.session_id = $1 ORDER BY f.kind, f.recording_key
            """,
        })
        {
            var rows = sql.Contains("$1", StringComparison.Ordinal) ? await app.RowsAsync(sql, session) : await app.RowsAsync(sql);
            parts.AddRange(rows.Select(r => string.Join(" | ", r.Values)));
        }
        return string.Join("\n", parts);
    }
}
