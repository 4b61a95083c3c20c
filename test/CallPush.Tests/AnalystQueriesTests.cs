using CallPush.Tests.Infrastructure;
using Npgsql;

namespace CallPush.Tests;

public sealed class AnalystQueriesTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Every_documented_query_runs_and_finds_the_pushed_sample_data()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        var client = app.CreateClient();
        var sessionId = Samples.NewSessionId();
        var inbound = Samples.CdrWith(cdr =>
        {
            cdr["SessionId"] = sessionId;
            cdr["Direction"] = 0;
            cdr["QueuedTimestamp"] = 1677140060;
            cdr["AcceptTimestamp"] = 1677140069;
        });
        var record = $$"""{"SdkAppId":1400482256,"SessionId":"{{sessionId}}","RecordId":"r","EndpointUser":"zhangsan@tencent.com","RecordURL":"https://x/r","Timestamp":1677140090}""";
        var voicemail = $$"""{"SdkAppId":1400482256,"SessionId":"{{sessionId}}","RecordURL":"https://x/v","EndpointUser":"13123456789","Timestamp":1677140091}""";
        Assert.Equal(0, (await client.PushAndReadAsync("cdr", inbound, "q-cdr")).ErrCode);
        Assert.Equal(0, (await client.PushAndReadAsync("record", record, "q-record")).ErrCode);
        Assert.Equal(0, (await client.PushAndReadAsync("voicemail", voicemail, "q-voicemail")).ErrCode);
        Assert.Equal(400, (await client.PushAndReadAsync("cdr", "not json", "q-bad")).Status);

        var queries = ReadQueries();
        var rowsPerQuery = new List<int>();
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using (var asReader = new NpgsqlCommand("SET ROLE callpush_reader", connection))
        {
            await asReader.ExecuteNonQueryAsync();
        }
        foreach (var query in queries)
        {
            await using var command = new NpgsqlCommand(query, connection);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = 0;
            while (await reader.ReadAsync())
            {
                rows++;
            }
            rowsPerQuery.Add(rows);
        }

        Assert.Equal(6, queries.Count);
        Assert.All(rowsPerQuery, rows => Assert.True(rows > 0));
    }

    private static List<string> ReadQueries()
    {
        var path = Path.Combine(Samples.RepositoryRoot, "docs", "queries.sql");
        var withoutComments = string.Join('\n', File.ReadAllLines(path).Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        return [.. withoutComments.Split(';').Select(q => q.Trim()).Where(q => q.Length > 0)];
    }
}
