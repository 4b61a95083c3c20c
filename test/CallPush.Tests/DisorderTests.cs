using System.Text.Json.Nodes;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests;

public sealed class DisorderTests(PostgresFixture postgres) : AppTest(postgres)
{
    [Fact]
    public async Task Recording_and_voicemail_before_their_cdr_are_kept_and_join_once_it_arrives()
    {
        var sessionId = Samples.NewSessionId();
        var record = $$"""{"SdkAppId":1400482256,"SessionId":"{{sessionId}}","RecordId":"r1","EndpointUser":"zhangsan@tencent.com","RecordURL":"https://x/r1","Timestamp":1677140090}""";
        var voicemail = $$"""{"SdkAppId":1400482256,"SessionId":"{{sessionId}}","RecordURL":"https://x/v1","EndpointUser":13123456789,"Timestamp":1677140091}""";

        var recordReply = await Client.PushAndReadAsync("record", record, "early-record");
        var voicemailReply = await Client.PushAndReadAsync("voicemail", voicemail, "early-voicemail");
        var cdrReply = await Client.PushAndReadAsync("cdr", Samples.CdrWith(cdr => cdr["SessionId"] = sessionId), "late-cdr");

        Assert.Equal([0, 0, 0], new[] { recordReply.ErrCode, voicemailReply.ErrCode, cdrReply.ErrCode });
        var joined = await App.RowsAsync("""
            SELECT s.session_id, r.record_url, v.record_url AS voicemail_url
            FROM call_sessions s
            JOIN recordings r ON r.sdk_app_id = s.sdk_app_id AND r.session_id = s.session_id
            JOIN voicemails v ON v.sdk_app_id = s.sdk_app_id AND v.session_id = s.session_id
            """);
        var row = Assert.Single(joined);
        Assert.Equal("https://x/r1", row["record_url"]);
        Assert.Equal("https://x/v1", row["voicemail_url"]);
    }

    [Fact]
    public async Task The_session_reflects_the_cdr_with_the_newest_ended_timestamp_whatever_the_arrival_order()
    {
        var sessionId = Samples.NewSessionId();
        var newer = Cdr(sessionId, ended: 1677140200, participants: 3, endStatus: "ok");
        var older = Cdr(sessionId, ended: 1677140100, participants: 2, endStatus: "seatGiveUp");

        await Client.PushAndReadAsync("cdr", newer, "cdr-newer");
        var lateOlder = await Client.PushAndReadAsync("cdr", older, "cdr-older");

        Assert.Equal("ok", lateOlder.ErrMsg);
        var session = Assert.Single(await App.RowsAsync("SELECT end_status, ended_at, cdr_push_id FROM call_sessions"));
        Assert.Equal("ok", session["end_status"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1677140200), PushSampleTests.ToOffset(session["ended_at"]));
        Assert.Equal(3L, await App.ScalarAsync<long>("SELECT count(*) FROM serve_participants"));
        Assert.Equal(2L, await App.ScalarAsync<long>("SELECT count(*) FROM push_log WHERE session_id = $1", sessionId));
        Assert.Equal(session["cdr_push_id"], await App.ScalarAsync<long>("SELECT id FROM push_log WHERE dedup_key = 'cdr-newer'"));
    }

    [Fact]
    public async Task A_newer_cdr_replaces_the_participants_and_keys_of_an_older_one()
    {
        var sessionId = Samples.NewSessionId();

        await Client.PushAndReadAsync("cdr", Cdr(sessionId, ended: 1677140100, participants: 3, endStatus: "seatForward"), "cdr-1");
        await Client.PushAndReadAsync("cdr", Cdr(sessionId, ended: 1677140200, participants: 2, endStatus: "ok"), "cdr-2");

        Assert.Equal("ok", await App.ScalarAsync<string>("SELECT end_status FROM call_sessions"));
        Assert.Equal(2L, await App.ScalarAsync<long>("SELECT count(*) FROM serve_participants"));
        Assert.Equal(1L, await App.ScalarAsync<long>("SELECT count(*) FROM ivr_key_presses"));
    }

    [Fact]
    public async Task On_equal_ended_timestamps_the_cdr_received_last_wins()
    {
        var sessionId = Samples.NewSessionId();

        await Client.PushAndReadAsync("cdr", Cdr(sessionId, ended: 1677140100, participants: 1, endStatus: "first"), "tie-1");
        await Client.PushAndReadAsync("cdr", Cdr(sessionId, ended: 1677140100, participants: 2, endStatus: "second"), "tie-2");

        Assert.Equal("second", await App.ScalarAsync<string>("SELECT end_status FROM call_sessions"));
        Assert.Equal(2L, await App.ScalarAsync<long>("SELECT count(*) FROM serve_participants"));
    }

    [Fact]
    public async Task Concurrent_re_pushes_of_one_session_leave_the_newest_with_its_own_participants()
    {
        var sessionId = Samples.NewSessionId();
        var pushes = Enumerable.Range(1, 12)
            .Select(i => Cdr(sessionId, ended: 1677140000 + i, participants: 1 + (i % 3), endStatus: $"v{i}"))
            .ToList();

        var replies = await Task.WhenAll(pushes.Select((body, i) => Client.PushAndReadAsync("cdr", body, $"race-{i}")));

        Assert.All(replies, reply => Assert.Equal(0, reply.ErrCode));
        Assert.Equal("v12", await App.ScalarAsync<string>("SELECT end_status FROM call_sessions"));
        Assert.Equal(1L, await App.ScalarAsync<long>("SELECT count(*) FROM call_sessions"));
        Assert.Equal(1L + (12 % 3), await App.ScalarAsync<long>("SELECT count(*) FROM serve_participants"));
        Assert.Equal(12L, await App.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    private static string Cdr(string sessionId, long ended, int participants, string endStatus) => Samples.CdrWith(cdr =>
    {
        cdr["SessionId"] = sessionId;
        cdr["EndedTimestamp"] = ended;
        cdr["EndStatusString"] = endStatus;
        cdr["IVRKeyPressed"] = new JsonArray("1");
        var list = new JsonArray();
        for (var i = 0; i < participants; i++)
        {
            list.Add(new JsonObject
            {
                ["Mail"] = $"agent{i}@example.com",
                ["Sequence"] = i,
                ["Type"] = "staffSeat",
                ["SkillGroupId"] = 2734,
                ["StartTimestamp"] = ended - 60,
                ["EndedTimestamp"] = ended,
                ["EndStatusString"] = i == participants - 1 ? "ok" : "seatForward",
            });
        }
        cdr["ServeParticipants"] = list;
    });
}
