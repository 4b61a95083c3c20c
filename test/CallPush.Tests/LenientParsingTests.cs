using CallPush.Tests.Infrastructure;

namespace CallPush.Tests;

public sealed class LenientParsingTests(PostgresFixture postgres) : AppTest(postgres)
{
    [Fact]
    public async Task Zero_timestamps_are_stored_as_null_never_1970()
    {
        var body = Samples.CdrWith(cdr =>
        {
            cdr["RingTimestamp"] = 0;
            cdr["AcceptTimestamp"] = 0;
            cdr["QueuedTimestamp"] = "0";
            cdr["EndedTimestamp"] = 0;
            cdr["ServeParticipants"]![0]!["AcceptTimestamp"] = 0;
        });

        var reply = await Client.PushAndReadAsync("cdr", body, "zeros");

        Assert.Equal(0, reply.ErrCode);
        var session = Assert.Single(await App.RowsAsync("SELECT ring_at, accepted_at, queued_at, ended_at, started_at FROM call_sessions"));
        Assert.Null(session["ring_at"]);
        Assert.Null(session["accepted_at"]);
        Assert.Null(session["queued_at"]);
        Assert.Null(session["ended_at"]);
        Assert.NotNull(session["started_at"]);
        Assert.Null(await App.ScalarAsync<DateTime?>("SELECT accepted_at FROM serve_participants"));
        Assert.Equal(0L, await App.ScalarAsync<long>(
            "SELECT count(*) FROM call_sessions WHERE started_at < '1971-01-01' OR ended_at < '1971-01-01'"));
    }

    [Fact]
    public async Task Numbers_may_arrive_as_strings_and_strings_as_numbers()
    {
        var body = """
            {"SdkAppId":"1400482256","SessionId":1234567,"Caller":8613800000000,"Callee":"10086","Direction":"0",
             "Duration":"42","IVRDuration":"","StartTimestamp":"1677140068","EndedTimestamp":1677140110.0,
             "QueuedSkillGroupId":"2734","QueuedSkillGroupName":"Support",
             "SeatUser":{"Mail":"a@example.com","UserId":99,"StaffNumber":8546,"Phone":13800000000},
             "ServeParticipants":[{"Mail":"a@example.com","Sequence":"0","SkillGroupId":"2734","SkillGroupPriority":"3","StartTimestamp":"1677140070"}]}
            """;

        var reply = await Client.PushAndReadAsync("cdr", body, "strings");

        Assert.Equal(new PushReply(200, 0, "ok"), reply);
        var session = Assert.Single(await App.RowsAsync("SELECT * FROM call_sessions"));
        Assert.Equal(1400482256L, session["sdk_app_id"]);
        Assert.Equal("1234567", session["session_id"]);
        Assert.Equal("8613800000000", session["caller"]);
        Assert.Equal((short)0, session["direction"]);
        Assert.Equal(42, session["duration_seconds"]);
        Assert.Null(session["ivr_duration_seconds"]);
        Assert.Equal(2734L, session["queued_skill_group_id"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1677140110), PushSampleTests.ToOffset(session["ended_at"]));
        var agent = Assert.Single(await App.RowsAsync("SELECT user_id, staff_number, phone FROM agents"));
        Assert.Equal("99", agent["user_id"]);
        Assert.Equal("8546", agent["staff_number"]);
        Assert.Equal("13800000000", agent["phone"]);
        Assert.Equal(3, await App.ScalarAsync<int>("SELECT skill_group_priority FROM serve_participants"));
    }

    [Fact]
    public async Task Field_names_are_matched_in_any_letter_case()
    {
        var body = """{"sdkappid":1400264214,"SESSIONID":"s-case","recordid":"r-9","endpointuser":"u@example.com","recordurl":"https://x/y","timestamp":1608130650}""";

        var reply = await Client.PushAndReadAsync("record", body, "case");

        Assert.Equal(0, reply.ErrCode);
        var recording = Assert.Single(await App.RowsAsync("SELECT session_id, record_id, record_url FROM recordings"));
        Assert.Equal("s-case", recording["session_id"]);
        Assert.Equal("r-9", recording["record_id"]);
        Assert.Equal("https://x/y", recording["record_url"]);
    }

    [Fact]
    public async Task Nulls_empty_strings_and_wrong_shapes_where_arrays_or_objects_belong_are_tolerated()
    {
        var body = Samples.CdrWith(cdr =>
        {
            cdr["SeatUser"] = null;
            cdr["ServeParticipants"] = null;
            cdr["TelLocation"] = "";
            cdr["IVRKeyPressedEx"] = "not an array";
            cdr["Caller"] = "";
        });

        var reply = await Client.PushAndReadAsync("cdr", body, "nulls");

        Assert.Equal(0, reply.ErrCode);
        var session = Assert.Single(await App.RowsAsync("SELECT caller, seat_agent_id, tel_city FROM call_sessions"));
        Assert.Null(session["caller"]);
        Assert.Null(session["seat_agent_id"]);
        Assert.Null(session["tel_city"]);
        Assert.Equal(0L, await App.ScalarAsync<long>("SELECT count(*) FROM serve_participants"));
    }

    [Fact]
    public async Task Ivr_keys_keep_their_order_labels_and_millisecond_timestamps()
    {
        var body = Samples.CdrWith(cdr =>
        {
            cdr["IVRKeyPressed"] = new System.Text.Json.Nodes.JsonArray("1", "2");
            cdr["IVRKeyPressedEx"] = System.Text.Json.Nodes.JsonNode.Parse(
                """[{"Key":"1","Label":"Sales","Timestamp":1677140070123},{"Key":"2","Label":"Support","Timestamp":1677140071}]""");
            cdr["PostIVRKeyPressed"] = System.Text.Json.Nodes.JsonNode.Parse("""[{"Key":"5","Label":"Very satisfied"}]""");
        });

        var reply = await Client.PushAndReadAsync("cdr", body, "keys");

        Assert.Equal(0, reply.ErrCode);
        var keys = await App.RowsAsync("SELECT stage, position, key, label, pressed_at FROM ivr_key_presses ORDER BY stage, position");
        Assert.Equal(3, keys.Count);
        Assert.Equal(("ivr", 0, "1", "Sales"), ((string)keys[0]["stage"]!, (int)keys[0]["position"]!, (string)keys[0]["key"]!, (string)keys[0]["label"]!));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1677140070123), PushSampleTests.ToOffset(keys[0]["pressed_at"]));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1677140071), PushSampleTests.ToOffset(keys[1]["pressed_at"]));
        Assert.Equal(("post_ivr", "5", "Very satisfied"), ((string)keys[2]["stage"]!, (string)keys[2]["key"]!, (string)keys[2]["label"]!));
    }

    [Fact]
    public async Task Unknown_end_statuses_and_new_fields_are_kept()
    {
        var body = Samples.CdrWith(cdr =>
        {
            cdr["EndStatusString"] = "someStatusFromTheFuture";
            cdr["HungUpSide"] = "system";
            cdr["CallType"] = 3;
            cdr["ProtectedCaller"] = "138****0000";
            cdr["AsrUrl"] = "https://asr.example/1";
            cdr["VoicemailRecordURL"] = "https://vm.example/1";
            cdr["BrandNewField"] = new System.Text.Json.Nodes.JsonObject { ["Nested"] = true };
            cdr["ServeParticipants"]![0]!["Type"] = "aiSeat";
        });

        var reply = await Client.PushAndReadAsync("cdr", body, "extras");

        Assert.Equal(0, reply.ErrCode);
        var session = Assert.Single(await App.RowsAsync("SELECT end_status, hung_up_side, call_type, protected_caller, asr_url, voicemail_record_url FROM call_sessions"));
        Assert.Equal("someStatusFromTheFuture", session["end_status"]);
        Assert.Equal("system", session["hung_up_side"]);
        Assert.Equal("3", session["call_type"]);
        Assert.Equal("138****0000", session["protected_caller"]);
        Assert.Equal("https://asr.example/1", session["asr_url"]);
        Assert.Equal("https://vm.example/1", session["voicemail_record_url"]);
        Assert.Equal("aiSeat", await App.ScalarAsync<string>("SELECT type FROM serve_participants"));
        Assert.True(await App.ScalarAsync<bool>("SELECT (body->'BrandNewField'->>'Nested')::boolean FROM push_log"));
    }

    [Fact]
    public async Task The_spec_sample_with_trailing_commas_is_kept_as_strict_json()
    {
        Assert.Contains("\",\n    ]", Samples.Cdr, StringComparison.Ordinal);

        var reply = await Client.PushAndReadAsync("cdr", Samples.Cdr, "trailing");

        Assert.Equal(0, reply.ErrCode);
        Assert.Equal("Outbound Consultant", await App.ScalarAsync<string>("SELECT body->'SeatUser'->'SkillGroupNameList'->>0 FROM push_log"));
    }
}
