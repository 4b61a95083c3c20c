using CallPush.Tests.Infrastructure;

namespace CallPush.Tests;

public sealed class PushSampleTests(PostgresFixture postgres) : AppTest(postgres)
{
    [Fact]
    public async Task Cdr_sample_is_stored_and_normalized()
    {
        var reply = await Client.PushAndReadAsync("cdr", Samples.Cdr, "uuid-cdr-1");

        Assert.Equal(new PushReply(200, 0, "ok"), reply);
        var session = Assert.Single(await App.RowsAsync("SELECT * FROM call_sessions"));
        Assert.Equal(1400482256L, session["sdk_app_id"]);
        Assert.Equal("99a1c8f8-eb3d-4xxx-8401-5f6aa8761232", session["session_id"]);
        Assert.Equal("0086400xxx6666", session["caller"]);
        Assert.Equal((short)1, session["direction"]);
        Assert.Equal("numberNotExist", session["end_status"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1677140081), ToOffset(session["ended_at"]));
        Assert.Null(session["accepted_at"]);
        Assert.Null(session["queued_at"]);
        Assert.Equal("Anshun", session["tel_city"]);
        Assert.Equal(new[] { "Outbound Consultant" }, session["seat_skill_group_names"]);
        var agent = Assert.Single(await App.RowsAsync("SELECT * FROM agents"));
        Assert.Equal(agent["id"], session["seat_agent_id"]);
        Assert.Equal("Zhang San", agent["name"]);
        Assert.Equal("8546", agent["staff_number"]);
        var participant = Assert.Single(await App.RowsAsync("SELECT * FROM serve_participants"));
        Assert.Equal(session["id"], participant["call_session_id"]);
        Assert.Equal(agent["id"], participant["agent_id"]);
        Assert.Equal(2734L, participant["skill_group_id"]);
        Assert.Equal("miniProgramSeat", participant["type"]);
        Assert.Null(participant["transfer_from"]);
        Assert.Equal(2734L, await App.ScalarAsync<long>("SELECT skill_group_id FROM skill_groups"));
        var log = Assert.Single(await App.RowsAsync("SELECT * FROM push_log"));
        Assert.Equal("accepted", log["status"]);
        Assert.Equal("uuid-cdr-1", log["dedup_key"]);
        Assert.Equal("1", log["version"]);
        Assert.Equal("Outbound Consultant", await App.ScalarAsync<string>("SELECT body->>'QueuedSkillGroupName' FROM push_log"));
        Assert.Equal("uuid-cdr-1", await App.ScalarAsync<string>("SELECT headers->>'X-TCCC-PUSH-UUID' FROM push_log"));
    }

    [Fact]
    public async Task Record_sample_is_stored()
    {
        var reply = await Client.PushAndReadAsync("record", Samples.Record, "uuid-record-1");

        Assert.Equal(new PushReply(200, 0, "ok"), reply);
        var recording = Assert.Single(await App.RowsAsync("SELECT * FROM recordings"));
        Assert.Equal(1400264214L, recording["sdk_app_id"]);
        Assert.Equal("e97be0ab-1ef6-4ad2-a8c4-2b2bbfb18e55", recording["session_id"]);
        Assert.Equal("1608130650", recording["record_id"]);
        Assert.Equal("lululing@tencent.com", recording["endpoint_user"]);
        Assert.Equal("http://recorder-10018504.cos.ap-shanghai.myqcloud.com/def/month12", recording["record_url"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1608130650), ToOffset(recording["recorded_at"]));
    }

    [Fact]
    public async Task Voicemail_sample_is_stored_with_a_numeric_endpoint_user_as_text()
    {
        var reply = await Client.PushAndReadAsync("voicemail", Samples.Voicemail, "uuid-voicemail-1", version: null,
            contentType: "application/json;charset=utf8");

        Assert.Equal(new PushReply(200, 0, "ok"), reply);
        var voicemail = Assert.Single(await App.RowsAsync("SELECT * FROM voicemails"));
        Assert.Equal("13123456789", voicemail["endpoint_user"]);
        Assert.Equal("e97be0ab-1ef6-4ad2-a8c4-2b2bbfb18e55", voicemail["session_id"]);
        Assert.Null(await App.ScalarAsync<string>("SELECT version FROM push_log"));
    }

    [Theory]
    [InlineData("application/json; charset=utf8")]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    public async Task Content_types_the_sender_may_use_are_accepted(string contentType)
    {
        var reply = await Client.PushAndReadAsync("record", Samples.Record, "uuid-ct", contentType: contentType);

        Assert.Equal(0, reply.ErrCode);
        Assert.Equal(1L, await App.ScalarAsync<long>("SELECT count(*) FROM recordings"));
    }

    [Fact]
    public async Task Action_is_read_case_insensitively()
    {
        var reply = await Client.PushAndReadAsync("CDR", Samples.Cdr, "uuid-upper");

        Assert.Equal(0, reply.ErrCode);
        Assert.Equal("cdr", await App.ScalarAsync<string>("SELECT action FROM push_log"));
    }

    internal static DateTimeOffset? ToOffset(object? value) => value switch
    {
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        DateTimeOffset offset => offset,
        _ => null,
    };
}
