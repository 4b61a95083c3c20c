using CallPush.Tests.Infrastructure;

namespace CallPush.Tests;

public sealed class DedupTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_repeated_push_uuid_is_answered_duplicate_and_changes_nothing()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        var client = app.CreateClient();
        var first = await client.PushAndReadAsync("cdr", Samples.Cdr, "uuid-dup");
        var changed = Samples.CdrWith(cdr => cdr["Caller"] = "changed caller");

        var second = await client.PushAndReadAsync("cdr", changed, "uuid-dup");

        Assert.Equal(new PushReply(200, 0, "ok"), first);
        Assert.Equal(new PushReply(200, 0, "duplicate"), second);
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
        Assert.Equal("0086400xxx6666", await app.ScalarAsync<string>("SELECT caller FROM call_sessions"));
    }

    [Fact]
    public async Task Many_identical_copies_at_once_store_exactly_one()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        var client = app.CreateClient();
        var body = Samples.CdrWith(cdr => cdr["SessionId"] = Samples.NewSessionId());

        var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => client.PushAndReadAsync("cdr", body, "uuid-burst")));

        Assert.All(replies, reply => Assert.Equal(0, reply.ErrCode));
        Assert.Single(replies, reply => reply.ErrMsg == "ok");
        Assert.Equal(39, replies.Count(reply => reply.ErrMsg == "duplicate"));
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions"));
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM serve_participants"));
    }

    [Fact]
    public async Task Two_replicas_on_one_database_store_a_burst_of_copies_once()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var first = new CallPushApp(database);
        await using var second = new CallPushApp(database);
        await Task.WhenAll(first.WaitUntilReadyAsync(), second.WaitUntilReadyAsync());
        var clients = new[] { first.CreateClient(), second.CreateClient() };

        var replies = await Task.WhenAll(Enumerable.Range(0, 30)
            .Select(i => clients[i % 2].PushAndReadAsync("record", Samples.Record, "uuid-replicas")));

        Assert.All(replies, reply => Assert.Equal(0, reply.ErrCode));
        Assert.Single(replies, reply => reply.ErrMsg == "ok");
        Assert.Equal(1L, await first.ScalarAsync<long>("SELECT count(*) FROM push_log"));
        Assert.Equal(1L, await first.ScalarAsync<long>("SELECT count(*) FROM recordings"));
    }

    [Fact]
    public async Task Dedup_holds_across_a_restart_of_the_service()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using (var before = new CallPushApp(database))
        {
            await before.WaitUntilReadyAsync();
            Assert.Equal("ok", (await before.CreateClient().PushAndReadAsync("voicemail", Samples.Voicemail, "uuid-restart")).ErrMsg);
        }

        await using var after = new CallPushApp(database);
        await after.WaitUntilReadyAsync();
        var reply = await after.CreateClient().PushAndReadAsync("voicemail", Samples.Voicemail, "uuid-restart");

        Assert.Equal(new PushReply(200, 0, "duplicate"), reply);
        Assert.Equal(1L, await after.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task A_push_without_the_uuid_header_is_accepted_and_deduplicated_by_its_body()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        var client = app.CreateClient();

        var first = await client.PushAndReadAsync("record", Samples.Record, pushUuid: null);
        var again = await client.PushAndReadAsync("record", Samples.Record, pushUuid: null);
        var otherAction = await client.PushAndReadAsync("voicemail", Samples.Record, pushUuid: null);

        Assert.Equal("ok", first.ErrMsg);
        Assert.Equal("duplicate", again.ErrMsg);
        Assert.Equal("ok", otherAction.ErrMsg);
        var keys = await app.RowsAsync("SELECT dedup_key, push_uuid FROM push_log ORDER BY id");
        Assert.Equal(2, keys.Count);
        Assert.All(keys, row => Assert.StartsWith("sha256:", (string)row["dedup_key"]!, StringComparison.Ordinal));
        Assert.All(keys, row => Assert.Null(row["push_uuid"]));
    }

    [Fact]
    public async Task A_different_uuid_for_the_same_recording_updates_the_one_row()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        var client = app.CreateClient();
        var moved = Samples.Record.Replace("def/month12", "def/month12-copy", StringComparison.Ordinal)
            .Replace("1608130650,", "1608130700,", StringComparison.Ordinal);

        await client.PushAndReadAsync("record", Samples.Record, "uuid-rec-a");
        var reply = await client.PushAndReadAsync("record", moved, "uuid-rec-b");

        Assert.Equal("ok", reply.ErrMsg);
        Assert.Equal(2L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
        var recording = Assert.Single(await app.RowsAsync("SELECT record_url FROM recordings"));
        Assert.EndsWith("month12-copy", (string)recording["record_url"]!, StringComparison.Ordinal);
    }
}
