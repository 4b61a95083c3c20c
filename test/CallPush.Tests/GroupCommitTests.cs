using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using CallPush.Api.Features.Push;
using CallPush.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CallPush.Tests;

/// <summary>
/// Group commit with one writer. A push whose INSERT waits on a table lock holds that writer while the pushes under
/// test queue up; when the lock goes, they are written as one group, whose size each test checks.
/// </summary>
public sealed class GroupCommitTests(PostgresFixture postgres)
{
    private static readonly Dictionary<string, string?> Grouping = new()
    {
        ["CallPush:Push:Writers"] = "1",
    };

    [Fact]
    public async Task Sixty_four_copies_of_one_push_in_one_group_are_stored_once_and_all_answered_0()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Grouping);
        using var groups = new GroupSizes(app);
        using var client = app.CreateClient();
        var body = Samples.CdrWith(cdr => cdr["SessionId"] = Samples.NewSessionId());

        var replies = await SendAsOneGroupAsync(app, Enumerable.Range(0, 64).Select(_ => (Func<Task<PushReply>>)(() => client.PushAndReadAsync("cdr", body, "same-push"))));

        Assert.All(replies, r => Assert.Equal((200, 0), (r.Status, r.ErrCode)));
        Assert.Single(replies, r => r.ErrMsg == "ok");
        Assert.Equal(2L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log")); // and the push that held the writer
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions WHERE session_id <> 'holder'"));
        Assert.Contains(64L, groups.Sizes);
    }

    [Fact]
    public async Task A_poisoned_push_in_a_group_is_kept_as_rejected_and_the_others_are_stored()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Grouping);
        using var groups = new GroupSizes(app);
        using var client = app.CreateClient();
        var poison = """{"SdkAppId": 1400000001, "SessionId": "poison", "Uui": "a\u0000b"}""";
        var pushes = Enumerable.Range(0, 12)
            .Select(i => (Uuid: "p" + i.ToString(CultureInfo.InvariantCulture), Body: i == 5 ? poison : Samples.CdrWith(cdr => cdr["SessionId"] = Samples.NewSessionId())))
            .ToList();

        var replies = await SendAsOneGroupAsync(app, pushes.Select(p => (Func<Task<PushReply>>)(() => client.PushAndReadAsync("cdr", p.Body, p.Uuid))));

        Assert.Equal((400, 4006), (replies[5].Status, replies[5].ErrCode));
        Assert.All(replies.Where((_, i) => i != 5), r => Assert.Equal(new PushReply(200, 0, "ok"), r));
        Assert.Equal(11L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions WHERE session_id <> 'holder'"));
        var rejected = Assert.Single(await app.RowsAsync("SELECT dedup_key, error FROM push_log WHERE status = 'rejected'"));
        Assert.Equal("p5", rejected["dedup_key"]);
        Assert.Contains("22P05", (string)rejected["error"]!, StringComparison.Ordinal);
        Assert.Equal(1, groups.Splits); // the group of 12 was refused as a whole, then written push by push
    }

    [Fact]
    public async Task Two_cdrs_of_one_session_in_one_group_leave_the_newest()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Grouping);
        using var groups = new GroupSizes(app);
        using var client = app.CreateClient();
        var session = Samples.NewSessionId();
        var newer = Samples.CdrWith(cdr => { cdr["SessionId"] = session; cdr["EndedTimestamp"] = 1677140200; });
        var older = Samples.CdrWith(cdr => { cdr["SessionId"] = session; cdr["EndedTimestamp"] = 1677140100; });

        // The newer one first, then the older: the older must not win by coming later in the same transaction.
        var replies = await SendAsOneGroupAsync(app, [() => client.PushAndReadAsync("cdr", newer, "newer"), () => client.PushAndReadAsync("cdr", older, "older")]);

        Assert.All(replies, r => Assert.Equal(new PushReply(200, 0, "ok"), r));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1677140200),
            await app.ScalarAsync<DateTime>("SELECT ended_at FROM call_sessions WHERE session_id = $1", session));
        Assert.Equal("newer", await app.ScalarAsync<string>(
            "SELECT p.dedup_key FROM call_sessions s JOIN push_log p ON p.id = s.cdr_push_id WHERE s.session_id = $1", session));
        Assert.Contains(2L, groups.Sizes);
    }

    [Fact]
    public async Task With_the_database_cut_during_groups_no_push_is_answered_0_without_being_stored()
    {
        var direct = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        await using var proxy = new TcpProxy(direct.Port);
        proxy.Start();
        var throughProxy = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = proxy.Port, Pooling = true, Timeout = 3 };
        var settings = new Dictionary<string, string?>(Grouping) { ["CallPush:Push:StorageTimeout"] = "00:00:04" };
        await using var app = new CallPushApp(throughProxy.ConnectionString, settings);
        await app.WaitUntilReadyAsync();
        using var client = app.CreateClient();
        var pushes = Enumerable.Range(0, 60)
            .Select(i => (Uuid: "cut-" + i.ToString(CultureInfo.InvariantCulture), Body: Samples.CdrWith(cdr => cdr["SessionId"] = Samples.NewSessionId())))
            .ToList();

        var sending = pushes.Select(async (p, i) =>
        {
            await Task.Delay(i * 3);
            return await client.PushAndReadAsync("cdr", p.Body, p.Uuid);
        }).ToList();
        await Task.Delay(60);
        proxy.Stop();
        var replies = await Task.WhenAll(sending);
        proxy.Start();
        await app.WaitUntilReadyAsync(TimeSpan.FromSeconds(20));

        await using var database = new NpgsqlConnection(direct.ConnectionString);
        await database.OpenAsync();
        var stored = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT dedup_key FROM push_log", database))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetString(0));
            }
        }
        var acknowledged = pushes.Where((_, i) => replies[i].ErrCode == 0).Select(p => p.Uuid).ToList();
        Assert.All(acknowledged, uuid => Assert.Contains(uuid, stored));
        Assert.All(replies, r => Assert.True(r.ErrCode is 0 or 5030, $"unexpected answer {r}"));
        Assert.Contains(replies, r => r.ErrCode == 5030);

        // The platform pushes again whatever was not answered 0: then every push is stored once.
        var again = await Task.WhenAll(pushes.Where((_, i) => replies[i].ErrCode != 0).Select(p => client.PushAndReadAsync("cdr", p.Body, p.Uuid)));
        Assert.All(again, r => Assert.Equal(0, r.ErrCode));
        Assert.Equal(60L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
        Assert.Equal(60L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions"));
    }

    [Fact]
    public async Task Above_the_queue_limit_pushes_are_answered_503_with_retry_after_at_once()
    {
        var settings = new Dictionary<string, string?>(Grouping) { ["CallPush:Push:QueueLimit"] = "4" };
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var client = app.CreateClient();
        var committer = app.Services.GetRequiredService<PushCommitter>();
        await using var held = await HoldTheWriterAsync(app, client);
        var waiting = Enumerable.Range(0, 4).Select(i => client.PushAndReadAsync("cdr",
            Samples.CdrWith(cdr => cdr["SessionId"] = Samples.NewSessionId()), "q" + i.ToString(CultureInfo.InvariantCulture))).ToList();
        await WaitUntilAsync(() => committer.Waiting == 4);

        using var refused = await client.PushAsync("cdr", Samples.CdrWith(cdr => cdr["SessionId"] = Samples.NewSessionId()), "one-too-many");
        var refusedReply = await refused.ReadPushReplyAsync();
        await held.ReleaseAsync();
        var replies = await Task.WhenAll(waiting);

        Assert.Equal(new PushReply(503, 5030, "too many pushes are waiting to be stored; push again later"), refusedReply);
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        Assert.All(replies, r => Assert.Equal(new PushReply(200, 0, "ok"), r));
        Assert.Equal(5L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log WHERE dedup_key = 'one-too-many'"));
    }

    /// <summary>
    /// Holds the only writer with a push whose INSERT waits on a lock, starts the given pushes, waits until all of
    /// them wait for the writer, and lets go: they are then written as one group.
    /// </summary>
    private static async Task<PushReply[]> SendAsOneGroupAsync(CallPushApp app, IEnumerable<Func<Task<PushReply>>> pushes)
    {
        using var client = app.CreateClient();
        var committer = app.Services.GetRequiredService<PushCommitter>();
        PushReply[] replies;
        await using (var held = await HoldTheWriterAsync(app, client))
        {
            var sending = new List<Task<PushReply>>();
            foreach (var push in pushes)
            {
                // One at a time, so that they queue in the order given.
                sending.Add(push());
                await WaitUntilAsync(() => committer.Waiting == sending.Count);
            }
            await held.ReleaseAsync();
            replies = await Task.WhenAll(sending);
            Assert.Equal(new PushReply(200, 0, "ok"), await held.Holder);
        }
        return replies;
    }

    private static async Task<HeldWriter> HoldTheWriterAsync(CallPushApp app, HttpClient client)
    {
        var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE push_log IN EXCLUSIVE MODE", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }
        var holder = client.PushAndReadAsync("cdr", Samples.CdrWith(cdr => cdr["SessionId"] = "holder"), "holder");
        await WaitUntilAsync(async () => await app.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            + "AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO push_log%'") > 0);
        return new HeldWriter(connection, transaction, holder);
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(5);
        }
    }

    private sealed class HeldWriter(NpgsqlConnection connection, NpgsqlTransaction transaction, Task<PushReply> holder) : IAsyncDisposable
    {
        public Task<PushReply> Holder { get; } = holder;

        public Task ReleaseAsync() => transaction.RollbackAsync();

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>The sizes of the groups the app's committer wrote, and how many groups were refused and split.</summary>
    private sealed class GroupSizes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<long> _sizes = new();
        private long _splits;

        public GroupSizes(CallPushApp app)
        {
            var scope = app.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name is "callpush.push.group.size" or "callpush.push.group.splits" && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (instrument.Name == "callpush.push.group.splits")
                {
                    Interlocked.Add(ref _splits, value);
                }
                else
                {
                    _sizes.Enqueue(value);
                }
            });
            _listener.Start();
        }

        public IReadOnlyCollection<long> Sizes => _sizes;

        public long Splits => Interlocked.Read(ref _splits);

        public void Dispose() => _listener.Dispose();
    }
}
