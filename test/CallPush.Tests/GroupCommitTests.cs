using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using CallPush.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CallPush.Tests;

/// <summary>
/// Group commit with one writer and a group wait, so that pushes sent together are written in one transaction;
/// each test also checks that groups of more than one push were in fact written.
/// </summary>
public sealed class GroupCommitTests(PostgresFixture postgres)
{
    private static readonly Dictionary<string, string?> Grouping = new()
    {
        ["CallPush:Push:Writers"] = "1",
        ["CallPush:Push:MaxGroupWait"] = "00:00:00.100",
    };

    [Fact]
    public async Task Sixty_four_copies_of_one_push_at_once_are_stored_once_and_all_answered_0()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Grouping);
        using var groups = new GroupSizes(app);
        using var client = app.CreateClient();
        var body = Samples.CdrWith(cdr => cdr["SessionId"] = Samples.NewSessionId());

        var replies = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => client.PushAndReadAsync("cdr", body, "same-push")));

        Assert.All(replies, r => Assert.Equal((200, 0), (r.Status, r.ErrCode)));
        Assert.Single(replies, r => r.ErrMsg == "ok");
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions"));
        Assert.Contains(groups.Sizes, size => size > 1);
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

        var replies = await Task.WhenAll(pushes.Select(p => client.PushAndReadAsync("cdr", p.Body, p.Uuid)));

        Assert.Equal((400, 4006), (replies[5].Status, replies[5].ErrCode));
        Assert.All(replies.Where((_, i) => i != 5), r => Assert.Equal(new PushReply(200, 0, "ok"), r));
        Assert.Equal(11L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions"));
        var rejected = Assert.Single(await app.RowsAsync("SELECT dedup_key, error FROM push_log WHERE status = 'rejected'"));
        Assert.Equal("p5", rejected["dedup_key"]);
        Assert.Contains("22P05", (string)rejected["error"]!, StringComparison.Ordinal);
        Assert.Contains(groups.Sizes, size => size > 1);
    }

    [Fact]
    public async Task Two_cdrs_of_one_session_in_one_group_leave_the_newest()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Grouping);
        using var groups = new GroupSizes(app);
        using var client = app.CreateClient();
        var session = Samples.NewSessionId();
        // Hold the only writer with a first push, so that the two CDRs wait together and go in one group.
        var holder = client.PushAndReadAsync("cdr", Samples.CdrWith(cdr => cdr["SessionId"] = Samples.NewSessionId()), "holder");
        var newer = client.PushAndReadAsync("cdr", Samples.CdrWith(cdr => { cdr["SessionId"] = session; cdr["EndedTimestamp"] = 1677140200; }), "newer");
        var older = client.PushAndReadAsync("cdr", Samples.CdrWith(cdr => { cdr["SessionId"] = session; cdr["EndedTimestamp"] = 1677140100; }), "older");

        var replies = await Task.WhenAll(holder, newer, older);

        Assert.All(replies, r => Assert.Equal(0, r.ErrCode));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1677140200),
            await app.ScalarAsync<DateTime>("SELECT ended_at FROM call_sessions WHERE session_id = $1", session));
        Assert.Equal("newer", await app.ScalarAsync<string>(
            "SELECT p.dedup_key FROM call_sessions s JOIN push_log p ON p.id = s.cdr_push_id WHERE s.session_id = $1", session));
        Assert.Contains(groups.Sizes, size => size > 1);
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

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => client.PushAsync("cdr",
            Samples.CdrWith(cdr => cdr["SessionId"] = Samples.NewSessionId()), "q" + i.ToString(CultureInfo.InvariantCulture))));
        try
        {
            var busy = responses.Where(r => (int)r.StatusCode == 503).ToList();
            Assert.NotEmpty(busy);
            Assert.All(busy, r => Assert.Equal("1", r.Headers.RetryAfter?.ToString()));
            foreach (var response in busy)
            {
                Assert.Equal(5030, (await response.ReadPushReplyAsync()).ErrCode);
            }
            var ok = responses.Count(r => (int)r.StatusCode == 200);
            Assert.Equal(40, ok + busy.Count);
            Assert.Equal((long)ok, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    /// <summary>The sizes of the groups the app's committer wrote, from its <c>callpush.push.group.size</c> histogram.</summary>
    private sealed class GroupSizes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<long> _sizes = new();

        public GroupSizes(CallPushApp app)
        {
            var scope = app.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "callpush.push.group.size" && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _sizes.Enqueue(value));
            _listener.Start();
        }

        public IReadOnlyCollection<long> Sizes => _sizes;

        public void Dispose() => _listener.Dispose();
    }
}
