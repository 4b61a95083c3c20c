using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CallPush.Tests.Auth;
using CallPush.Tests.Infrastructure;
using CallPush.Tests.Recordings;

namespace CallPush.Tests.StatisticsChannel;

public sealed class StatisticsChannelTests(PostgresFixture postgres) : IAsyncLifetime
{
    private CallPushApp _app = null!;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await StatisticsTestSupport.StartAppAsync(postgres, new()
        {
            ["CallPush:StatisticsChannel:StatementTimeout"] = "00:00:02",
            ["CallPush:StatisticsChannel:MaxRows"] = "100",
            ["CallPush:Auth:Mode"] = "Basic",
            ["CallPush:Auth:Basic:Username"] = "tccc",
            ["CallPush:Auth:Basic:Password"] = "secret",
        });
        _client = _app.AnalystClient(await _app.CreateKeyAsync());
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Data_answers_each_row_as_an_object_with_PostgreSQL_types_mapped_to_JSON()
    {
        var reply = await _client.StatsAsync("data", """
            select 42 as int, 9007199254740993::bigint as big, 2.50::numeric(5,2) as num, 0.5::float8 as dbl,
                   timestamptz '2026-12-01 13:00:00+03' as at, timestamp '2026-12-01 10:00:00' as local_at, date '2026-12-01' as day,
                   '{"a": [1, "x"], "b": null}'::jsonb as doc, '[1,2]'::json as list, null::text as nothing, true as yes,
                   'Привет, 世界 "quoted" \ tab	end' as text, array[1, null, 3] as numbers, '\x00ff10'::bytea as bytes
            """);

        Assert.True(reply.Success, reply.Error);
        Assert.Equal(200, reply.Status);
        Assert.Equal("false", reply.Truncated);
        var row = Assert.Single(reply.Data.EnumerateArray());
        Assert.Equal(["int", "big", "num", "dbl", "at", "local_at", "day", "doc", "list", "nothing", "yes", "text", "numbers", "bytes"],
            row.EnumerateObject().Select(p => p.Name));
        Assert.Equal(42, row.GetProperty("int").GetInt32());
        Assert.Equal(9007199254740993, row.GetProperty("big").GetInt64());
        Assert.Equal(2.50m, row.GetProperty("num").GetDecimal());
        Assert.Equal(0.5, row.GetProperty("dbl").GetDouble());
        Assert.Equal("2026-12-01T10:00:00+00:00", row.GetProperty("at").GetString());
        Assert.Equal("2026-12-01T10:00:00", row.GetProperty("local_at").GetString());
        Assert.Equal("2026-12-01", row.GetProperty("day").GetString());
        Assert.Equal(JsonValueKind.Object, row.GetProperty("doc").ValueKind);
        Assert.Equal("x", row.GetProperty("doc").GetProperty("a")[1].GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("doc").GetProperty("b").ValueKind);
        Assert.Equal(2, row.GetProperty("list")[1].GetInt32());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("nothing").ValueKind);
        Assert.True(row.GetProperty("yes").GetBoolean());
        Assert.Equal("Привет, 世界 \"quoted\" \\ tab\tend", row.GetProperty("text").GetString());
        Assert.Equal([JsonValueKind.Number, JsonValueKind.Null, JsonValueKind.Number], row.GetProperty("numbers").EnumerateArray().Select(e => e.ValueKind));
        Assert.Equal("\\x00ff10", row.GetProperty("bytes").GetString());
    }

    [Fact]
    public async Task Data_reads_the_analyst_tables_and_quantity_answers_the_count_as_a_number()
    {
        var sessionId = Samples.NewSessionId();
        using var pusher = _app.ClientWithAuthorization(AuthTestSupport.Basic("tccc", "secret"));
        Assert.Equal(0, (await pusher.PushAndReadAsync("cdr", Samples.CdrWith(cdr => cdr["SessionId"] = sessionId), "stats-cdr")).ErrCode);

        var rows = await _client.StatsAsync("data", $"select session_id, sdk_app_id from call_sessions where session_id = '{sessionId}'");
        var quantity = await _client.StatsAsync("quantity", "select count(*) from push_log");
        var viaData = await _client.StatsAsync("data", "select count(*) from push_log");

        Assert.True(rows.Success, rows.Error);
        Assert.Equal(sessionId, Assert.Single(rows.Data.EnumerateArray()).GetProperty("session_id").GetString());
        Assert.True(quantity.Success, quantity.Error);
        Assert.Equal(JsonValueKind.Number, quantity.Data.ValueKind);
        Assert.Equal(1, quantity.Data.GetInt64());
        Assert.Equal(1, Assert.Single(viaData.Data.EnumerateArray()).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task An_empty_result_is_an_empty_array()
    {
        var reply = await _client.StatsAsync("data", "select * from call_sessions where false");

        Assert.True(reply.Success, reply.Error);
        Assert.Empty(reply.Data.EnumerateArray());
        Assert.Equal("false", reply.Truncated);
    }

    [Theory]
    [InlineData("select g from generate_series(1, 100) g", 100, "false")]
    [InlineData("select g from generate_series(1, 101) g order by g", 100, "true")]
    [InlineData("select g from generate_series(1, 5000) g", 100, "true")]
    public async Task Data_answers_at_most_MaxRows_rows_and_says_when_it_cut_the_result(string psql, int expected, string truncated)
    {
        var reply = await _client.StatsAsync("data", psql);

        Assert.True(reply.Success, reply.Error);
        Assert.Equal(truncated, reply.Truncated);
        Assert.Equal(Enumerable.Range(1, expected), reply.Data.EnumerateArray().Select(r => r.GetProperty("g").GetInt32()));
    }

    [Theory]
    [InlineData("  \n -- the calls of today\n/* a /* nested */ comment */ SELECT 1 AS one")]
    [InlineData("with recent as (select 1 as one) select * from recent;")]
    [InlineData("select 1 as one -- a trailing comment")]
    public async Task Leading_comments_WITH_and_a_trailing_semicolon_or_comment_are_accepted(string psql)
    {
        var reply = await _client.StatsAsync("data", psql);

        Assert.True(reply.Success, reply.Error);
        Assert.Equal(1, Assert.Single(reply.Data.EnumerateArray()).GetProperty("one").GetInt32());
    }

    [Theory]
    [InlineData("select 1, 2", "one column")]
    [InlineData("select count(*) from push_log where false group by id", "exactly one row")]
    [InlineData("select g from generate_series(1, 3) g", "exactly one row")]
    [InlineData("select 'many'", "number")]
    public async Task Quantity_refuses_anything_but_one_row_with_one_number(string psql, string named)
    {
        var reply = await _client.StatsAsync("quantity", psql);

        Assert.Contains(named, reply.AssertFailure(400), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"entity":"realtime","action":"data","options":{"psql":"select 1"}}""", "unknown entity")]
    [InlineData("""{"entity":"chronological","action":"delete","options":{"psql":"select 1"}}""", "unknown action")]
    [InlineData("""{"action":"data","options":{"psql":"select 1"}}""", "entity is required")]
    [InlineData("""{"entity":"chronological","options":{"psql":"select 1"}}""", "action is required")]
    [InlineData("""{"entity":"chronological","action":"data"}""", "options is required")]
    [InlineData("""{"entity":"chronological","action":"data","options":{}}""", "options.psql is required")]
    [InlineData("""{"entity":"chronological","action":"data","options":{"psql":"  "}}""", "options.psql is required")]
    [InlineData("""{"entity":"chronological","action":"data","options":{"psql":42}}""", "options.psql is required")]
    [InlineData("""{"entity":"chronological","action":"data","options":{"psql":"explain select 1"}}""", "must be one SELECT statement")]
    [InlineData("""{"entity":"chronological","action":"data","options":{"psql":"/* never closed select 1"}}""", "unterminated comment")]
    [InlineData("""{"entity":"chronological","action":"data","options":{"psql":"select 1"}""", "not valid JSON")]
    [InlineData("""["chronological"]""", "JSON object")]
    [InlineData("", "not valid JSON")]
    public async Task A_request_outside_the_protocol_is_answered_400_with_a_clear_error(string body, string named)
    {
        using var response = await _client.PostStatsAsync(body);

        Assert.Contains(named, (await StatsReply.ReadAsync(response)).AssertFailure(400), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_syntax_error_answers_PostgreSQLs_message_with_the_position_in_the_analysts_text()
    {
        var reply = await _client.StatsAsync("data", "select 1 form push_log");

        var error = reply.AssertFailure(400);
        Assert.Contains("42601", error, StringComparison.Ordinal);
        Assert.Contains("syntax error at or near \"push_log\"", error, StringComparison.Ordinal);
        Assert.Contains("at character 15 of options.psql", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_statement_beyond_the_timeout_is_cancelled_and_answered_504()
    {
        var reply = await _client.StatsAsync("data", "select pg_sleep(10)");

        Assert.Contains("ran longer than 2 s", reply.AssertFailure(504), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_runs_at_most_two_statements_at_once_and_the_third_is_answered_429()
    {
        var slow = Enumerable.Range(0, 2).Select(_ => _client.StatsAsync("data", "select pg_sleep(1.5) as slept")).ToList();
        await Task.Delay(500);

        var third = await _client.StatsAsync("data", "select 1");
        var otherKey = await _app.AnalystClient(await _app.CreateKeyAsync("other")).StatsAsync("data", "select 1 as one");

        Assert.Contains("already runs 2 statements", third.AssertFailure(429), StringComparison.Ordinal);
        Assert.True(otherKey.Success, otherKey.Error);
        Assert.All(await Task.WhenAll(slow), reply => Assert.True(reply.Success, reply.Error));
        Assert.True((await _client.StatsAsync("data", "select 1")).Success);
    }

    [Fact]
    public async Task Without_an_API_key_or_with_push_credentials_that_open_push_the_channel_answers_401()
    {
        var body = StatisticsTestSupport.Body("data", "select 1");
        using var anonymous = _app.CreateClient();
        using var basic = _app.ClientWithAuthorization(AuthTestSupport.Basic("tccc", "secret"));
        using var bearer = _app.CreateClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "a-push-token");

        Assert.Equal(0, (await basic.PushAndReadAsync("record", Samples.Record, "uuid-stats-basic")).ErrCode);

        foreach (var client in new[] { anonymous, basic, bearer })
        {
            using var response = await client.PostStatsAsync(body);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.False(string.IsNullOrEmpty((await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error").GetString()));
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_stats_with_an_example_of_each_action()
    {
        using var client = _app.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.Current.CancellationToken);

        var operation = document.GetProperty("paths").GetProperty("/stats").GetProperty("post");
        var requestExamples = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("examples");
        Assert.Equal("quantity", requestExamples.GetProperty("quantity").GetProperty("value").GetProperty("action").GetString());
        Assert.StartsWith("select", requestExamples.GetProperty("data").GetProperty("value").GetProperty("options").GetProperty("psql").GetString(),
            StringComparison.Ordinal);
        var ok = operation.GetProperty("responses").GetProperty("200");
        var answers = ok.GetProperty("content").GetProperty("application/json").GetProperty("examples");
        Assert.Equal(835, answers.GetProperty("quantity").GetProperty("value").GetProperty("data").GetInt32());
        Assert.Equal(JsonValueKind.Array, answers.GetProperty("data").GetProperty("value").GetProperty("data").ValueKind);
        Assert.True(ok.GetProperty("headers").TryGetProperty("X-Stats-Truncated", out _));
        foreach (var status in new[] { "400", "401", "403", "413", "429", "500", "503", "504" })
        {
            Assert.True(operation.GetProperty("responses").TryGetProperty(status, out _), status);
        }
        Assert.Contains(operation.GetProperty("security").EnumerateArray(), s => s.TryGetProperty("apikey", out _));
    }
}
