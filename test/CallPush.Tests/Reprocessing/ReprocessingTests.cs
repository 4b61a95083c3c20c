using CallPush.Tests.Infrastructure;
using CallPush.Tests.Recordings;
using static CallPush.Tests.Reprocessing.ReprocessingTestSupport;

namespace CallPush.Tests.Reprocessing;

public sealed class ReprocessingTests(PostgresFixture postgres)
{
    private static readonly DateTimeOffset From = DateTimeOffset.UtcNow.AddHours(-2);
    private static DateTimeOffset To => DateTimeOffset.UtcNow.AddMinutes(1);

    [Fact]
    public async Task A_push_an_older_parser_rejected_is_accepted_and_normalized_and_a_second_run_changes_nothing()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        var sessionId = Samples.NewSessionId();
        var id = await app.StoreRejectedAsync("old-parser-cdr", "cdr", LenientCdr(sessionId, 1_700_000_100, "0086400111"), 4003,
            "body is not valid JSON ('}' is invalid after a single JSON value)", DateTimeOffset.UtcNow.AddHours(-1));
        var record = Samples.Record.Replace("e97be0ab-1ef6-4ad2-a8c4-2b2bbfb18e55", sessionId, StringComparison.Ordinal).Replace("}", ",}", StringComparison.Ordinal);
        await app.StoreRejectedAsync("old-parser-record", "record", record, 4003, "body is not valid JSON", DateTimeOffset.UtcNow.AddHours(-1));

        var (status, first) = await analyst.ReprocessAsync(From, To);
        var afterFirst = await app.RowVersionsAsync();
        var (secondStatus, second) = await analyst.ReprocessAsync(From, To);

        Assert.Equal(200, status);
        Assert.Equal((2, 2, 0, 1, 1), (first.Count("seen"), first.Count("nowAccepted"), first.Count("stillRejected"),
            first.Count("changedSessions"), first.Count("changedRecordings")));
        var log = (await app.RowsAsync("SELECT status, error_code, error, raw_body, body->>'SessionId' AS body_session, session_id, sdk_app_id FROM push_log WHERE id = $1", id)).Single();
        Assert.Equal("accepted", log["status"]);
        Assert.Equal(0, log["error_code"]);
        Assert.Null(log["error"]);
        Assert.Null(log["raw_body"]);
        Assert.Equal(sessionId, log["body_session"]);
        Assert.Equal(sessionId, log["session_id"]);
        Assert.Equal(1400482256L, log["sdk_app_id"]);
        var session = (await app.RowsAsync("SELECT caller, cdr_push_id, ended_at FROM call_sessions WHERE session_id = $1", sessionId)).Single();
        Assert.Equal("0086400111", session["caller"]);
        Assert.Equal(id, session["cdr_push_id"]);
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM serve_participants"));
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM recordings WHERE session_id = $1", sessionId));
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM recording_files WHERE session_id = $1", sessionId));

        Assert.Equal(200, secondStatus);
        Assert.Equal((2, 0, 0, 0, 0), (second.Count("seen"), second.Count("nowAccepted"), second.Count("stillRejected"),
            second.Count("changedSessions"), second.Count("changedRecordings")));
        Assert.Equal(afterFirst, await app.RowVersionsAsync());
    }

    [Fact]
    public async Task A_push_today_s_parser_still_rejects_stays_rejected_with_its_reason()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        var id = await app.StoreRejectedAsync("still-bad", "cdr", "{\"SdkAppId\": 1400482256, \"Caller\": \"x\"", 4003,
            "body is not valid JSON (the reason of its day)", DateTimeOffset.UtcNow.AddHours(-1));
        var before = await app.RowVersionsAsync();

        var (status, summary) = await analyst.ReprocessAsync(From, To, status: "rejected");

        Assert.Equal(200, status);
        Assert.Equal((1, 0, 1), (summary.Count("seen"), summary.Count("nowAccepted"), summary.Count("stillRejected")));
        var log = (await app.RowsAsync("SELECT status, error_code, error, raw_body IS NOT NULL AS kept FROM push_log WHERE id = $1", id)).Single();
        Assert.Equal(("rejected", 4003, "body is not valid JSON (the reason of its day)", true),
            ((string)log["status"]!, (int)log["error_code"]!, (string)log["error"]!, (bool)log["kept"]!));
        Assert.Equal(before, await app.RowVersionsAsync());
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions"));
    }

    [Fact]
    public async Task An_older_CDR_accepted_or_newly_accepted_does_not_overwrite_a_newer_session()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        var client = app.CreateClient();
        var sessionId = Samples.NewSessionId();
        await app.StoreRejectedAsync("old-parser-oldest", "cdr", LenientCdr(sessionId, 1_700_000_050, "oldest"), 4003, "body is not valid JSON",
            DateTimeOffset.UtcNow.AddMinutes(-30));
        Assert.Equal(0, (await client.PushAndReadAsync("cdr", StrictCdr(sessionId, 1_700_000_100, "older"), "uuid-older")).ErrCode);
        Assert.Equal(0, (await client.PushAndReadAsync("cdr", StrictCdr(sessionId, 1_700_000_200, "newest"), "uuid-newest")).ErrCode);
        var newest = await app.ScalarAsync<long>("SELECT id FROM push_log WHERE dedup_key = 'uuid-newest'");
        var sessionVersion = await app.ScalarAsync<string>("SELECT xmin::text FROM call_sessions");

        var (status, summary) = await analyst.ReprocessAsync(From, To, action: "cdr");

        Assert.Equal(200, status);
        Assert.Equal((3, 1, 0), (summary.Count("seen"), summary.Count("nowAccepted"), summary.Count("changedSessions")));
        var session = (await app.RowsAsync("SELECT caller, cdr_push_id, xmin::text AS version FROM call_sessions WHERE session_id = $1", sessionId)).Single();
        Assert.Equal(("newest", newest, sessionVersion), ((string)session["caller"]!, (long)session["cdr_push_id"]!, (string)session["version"]!));
        Assert.Equal("accepted", await app.ScalarAsync<string>("SELECT status FROM push_log WHERE dedup_key = 'old-parser-oldest'"));
    }

    [Fact]
    public async Task Filters_and_the_window_choose_the_rows()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1);
        await app.StoreRejectedAsync("in-window-cdr", "cdr", LenientCdr(Samples.NewSessionId(), 1_700_000_000, "a"), 4003, "old", hourAgo);
        await app.StoreRejectedAsync("in-window-voicemail", "voicemail", "[]", 4004, "body is a JSON array, not an object", hourAgo);
        await app.StoreRejectedAsync("before-window", "cdr", LenientCdr(Samples.NewSessionId(), 1_700_000_000, "b"), 4003, "old", hourAgo.AddDays(-2));

        var (_, cdrOnly) = await analyst.ReprocessAsync(From, To, action: "cdr");
        var (_, voicemailOnly) = await analyst.ReprocessAsync(From, To, action: "voicemail", status: "rejected");

        Assert.Equal((1, 1), (cdrOnly.Count("seen"), cdrOnly.Count("nowAccepted")));
        Assert.Equal((1, 0, 1), (voicemailOnly.Count("seen"), voicemailOnly.Count("nowAccepted"), voicemailOnly.Count("stillRejected")));
        Assert.Equal("rejected", await app.ScalarAsync<string>("SELECT status FROM push_log WHERE dedup_key = 'before-window'"));
    }

    [Theory]
    [InlineData("{\"to\": \"2026-12-01T09:00:00Z\"}", "from is missing")]
    [InlineData("{\"from\": \"yesterday\", \"to\": \"2026-12-01T09:00:00Z\"}", "from is missing or not a time")]
    [InlineData("{\"from\": \"2026-12-01T09:00:00Z\", \"to\": \"2026-12-01T09:00:00Z\"}", "from must be before to")]
    [InlineData("{\"from\": \"2026-11-01T09:00:00Z\", \"to\": \"2026-12-01T09:00:00Z\"}", "longer than 24 hours")]
    [InlineData("{\"from\": \"2026-12-01T08:00:00Z\", \"to\": \"2026-12-01T09:00:00Z\", \"action\": \"fax\"}", "action 'fax' is unknown")]
    [InlineData("{\"from\": \"2026-12-01T08:00:00Z\", \"to\": \"2026-12-01T09:00:00Z\", \"status\": \"lost\"}", "status 'lost' is unknown")]
    [InlineData("not json", "the body must be JSON")]
    public async Task The_endpoint_answers_400_with_the_reason_for_bad_input(string body, string reason)
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());

        using var response = await analyst.PostAsync("/reprocessing", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_endpoint_needs_an_api_key()
    {
        await using var app = await CallPushApp.StartAsync(postgres);

        using var response = await app.CreateClient().PostAsync("/reprocessing",
            new StringContent("{\"from\": \"2026-12-01T08:00:00Z\", \"to\": \"2026-12-01T09:00:00Z\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(401, (int)response.StatusCode);
    }

    [Fact]
    public async Task Reprocessing_while_pushes_for_the_same_sessions_arrive_leaves_every_session_at_its_newest_CDR()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        // This test takes 30-40 s on a quiet 2-core machine (360 pushes reprocessed, each on a new connection: the test
        // databases' connections are not pooled); in the full suite one request ran past HttpClient's default 100 s.
        analyst.Timeout = TimeSpan.FromMinutes(5);
        var client = app.CreateClient();
        var sessions = Enumerable.Range(0, 120).Select(_ => Samples.NewSessionId()).ToList();
        foreach (var (sessionId, i) in sessions.Select((s, i) => (s, i)))
        {
            await app.StoreRejectedAsync($"old-parser-{i}", "cdr", LenientCdr(sessionId, 1_700_000_500, "reprocessed"), 4003, "old",
                DateTimeOffset.UtcNow.AddMinutes(-30));
        }

        // Even sessions get a newer CDR while the reprocessing runs, odd ones an older one.
        var pushes = sessions.Select((sessionId, i) => i % 2 == 0
            ? client.PushAndReadAsync("cdr", StrictCdr(sessionId, 1_700_001_000, "live newer"), $"live-{i}")
            : client.PushAndReadAsync("cdr", StrictCdr(sessionId, 1_700_000_100, "live older"), $"live-{i}")).ToList();
        var reprocessing = analyst.ReprocessAsync(From, To);
        var replies = await Task.WhenAll(pushes);
        var (status, summary) = await reprocessing;
        var (_, again) = await analyst.ReprocessAsync(From, To);

        Assert.All(replies, reply => Assert.Equal(0, reply.ErrCode));
        Assert.Equal(200, status);
        Assert.Equal(120L, summary.Count("nowAccepted"));
        var rows = await app.RowsAsync("""
            SELECT s.session_id, s.caller, s.ended_at, p.dedup_key
            FROM call_sessions s JOIN push_log p ON p.id = s.cdr_push_id
            """);
        Assert.Equal(120, rows.Count);
        var bySession = rows.ToDictionary(r => (string)r["session_id"]!);
        foreach (var (sessionId, i) in sessions.Select((s, i) => (s, i)))
        {
            var expected = i % 2 == 0 ? ("live newer", $"live-{i}") : ("reprocessed", $"old-parser-{i}");
            Assert.Equal(expected, ((string)bySession[sessionId]["caller"]!, (string)bySession[sessionId]["dedup_key"]!));
        }
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log WHERE status = 'rejected'"));
        Assert.Equal((240, 0, 0), (again.Count("seen"), again.Count("nowAccepted"), again.Count("changedSessions")));
    }
}
