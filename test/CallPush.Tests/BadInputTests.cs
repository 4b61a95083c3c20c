using System.Net;
using System.Text;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests;

public sealed class BadInputTests(PostgresFixture postgres) : AppTest(postgres, new Dictionary<string, string?> { ["CallPush:Push:MaxBodyBytes"] = "4096" })
{
    [Theory]
    [InlineData(null, 4001)]
    [InlineData("", 4001)]
    [InlineData("hangup", 4002)]
    public async Task A_missing_or_unknown_action_is_400_and_the_push_is_kept_as_rejected(string? action, int errCode)
    {
        var reply = await Client.PushAndReadAsync(action, Samples.Record, "bad-action");

        Assert.Equal(400, reply.Status);
        Assert.Equal(errCode, reply.ErrCode);
        var log = Assert.Single(await App.RowsAsync("SELECT status, error_code, error, action, body->>'RecordId' AS record_id FROM push_log"));
        Assert.Equal("rejected", log["status"]);
        Assert.Equal(errCode, log["error_code"]);
        Assert.Equal(reply.ErrMsg, log["error"]);
        Assert.Equal("1608130650", log["record_id"]);
        Assert.Equal(0L, await App.ScalarAsync<long>("SELECT count(*) FROM recordings"));
    }

    [Theory]
    [InlineData("this is not json", 4003)]
    [InlineData("{\"SessionId\": \"abc\"", 4003)]
    [InlineData("", 4003)]
    [InlineData("[1, 2, 3]", 4004)]
    [InlineData("\"just a string\"", 4004)]
    public async Task A_body_that_is_not_a_json_object_is_400_and_kept_byte_for_byte(string body, int errCode)
    {
        var reply = await Client.PushAndReadAsync("cdr", body, "bad-json");

        Assert.Equal(400, reply.Status);
        Assert.Equal(errCode, reply.ErrCode);
        var log = Assert.Single(await App.RowsAsync("SELECT status, error, raw_body, body::text AS body FROM push_log"));
        Assert.Equal("rejected", log["status"]);
        Assert.False(string.IsNullOrEmpty((string?)log["error"]));
        var kept = log["raw_body"] is byte[] raw ? Encoding.UTF8.GetString(raw) : (string)log["body"]!;
        Assert.Equal(body.Replace(" ", "", StringComparison.Ordinal), kept.Replace(" ", "", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("cdr", """{"SdkAppId": 1400482256, "Caller": "1"}""", "SessionId")]
    [InlineData("cdr", """{"SdkAppId": 1400482256, "SessionId": ""}""", "SessionId")]
    [InlineData("record", """{"SessionId": "s1", "RecordURL": "https://x"}""", "SdkAppId")]
    [InlineData("voicemail", """{"SdkAppId": "not a number", "SessionId": "s1"}""", "SdkAppId")]
    public async Task Json_without_a_field_the_action_needs_is_400_naming_it_and_kept(string action, string body, string field)
    {
        var reply = await Client.PushAndReadAsync(action, body, "missing-field");

        Assert.Equal(400, reply.Status);
        Assert.Equal(4005, reply.ErrCode);
        Assert.Contains(field, reply.ErrMsg, StringComparison.Ordinal);
        Assert.Equal("rejected", await App.ScalarAsync<string>("SELECT status FROM push_log"));
        Assert.Equal(0L, await App.ScalarAsync<long>("SELECT (SELECT count(*) FROM call_sessions) + (SELECT count(*) FROM recordings) + (SELECT count(*) FROM voicemails)"));
    }

    [Fact]
    public async Task A_rejected_push_sent_again_is_kept_once_and_answered_the_same()
    {
        var first = await Client.PushAndReadAsync("cdr", "garbage", "retry-of-bad");
        var second = await Client.PushAndReadAsync("cdr", "garbage", "retry-of-bad");

        Assert.Equal(first, second);
        Assert.Equal(1L, await App.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_without_being_stored()
    {
        var body = Samples.CdrWith(cdr => cdr["Uui"] = new string('x', 5000));

        var reply = await Client.PushAndReadAsync("cdr", body, "too-big");

        Assert.Equal(new PushReply(413, 4130, "body is larger than 4096 bytes"), reply);
        Assert.Equal(0L, await App.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_413_too()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/push?action=cdr")
        {
            Content = new StreamContent(new MemoryStream(new byte[10_000])),
        };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Client.SendAsync(request);
        var reply = await response.ReadPushReplyAsync();

        Assert.Equal(413, reply.Status);
        Assert.Equal(4130, reply.ErrCode);
    }

    [Fact]
    public async Task Json_the_database_cannot_hold_is_kept_raw_with_the_reason()
    {
        var body = """{"SdkAppId": 1, "SessionId": "nul", "Uui": "a\u0000b"}""";

        var reply = await Client.PushAndReadAsync("cdr", body, "nul-char");

        Assert.Equal(400, reply.Status);
        Assert.Equal(4006, reply.ErrCode);
        var log = Assert.Single(await App.RowsAsync("SELECT status, raw_body, error FROM push_log"));
        Assert.Equal("rejected", log["status"]);
        Assert.Equal(body, Encoding.UTF8.GetString((byte[])log["raw_body"]!));
        Assert.Contains("22P05", (string)log["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_methods_get_a_json_405()
    {
        using var response = await Client.GetAsync("/push?action=cdr");
        var reply = await response.ReadPushReplyAsync();

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(4050, reply.ErrCode);
    }
}
