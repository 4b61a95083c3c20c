using System.Net;
using CallPush.Tests.Infrastructure;
using Npgsql;

namespace CallPush.Tests;

public sealed class DatabaseOutageTests(PostgresFixture postgres)
{
    [Fact]
    public async Task While_the_database_is_down_pushes_get_503_and_once_it_is_back_they_are_stored()
    {
        var direct = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        await using var proxy = new TcpProxy(direct.Port);
        proxy.Start();
        var throughProxy = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = proxy.Port, Pooling = true, Timeout = 3 };
        await using var app = new CallPushApp(throughProxy.ConnectionString, new Dictionary<string, string?>
        {
            ["CallPush:Push:StorageTimeout"] = "00:00:05",
        });
        await app.WaitUntilReadyAsync();
        var client = app.CreateClient();
        Assert.Equal("ok", (await client.PushAndReadAsync("record", Samples.Record, "before-outage")).ErrMsg);

        proxy.Stop();
        var during = await client.PushAndReadAsync("cdr", Samples.Cdr, "during-outage");
        using var readyDuring = await client.GetAsync("/health/ready");
        using var liveDuring = await client.GetAsync("/health/live");

        proxy.Start();
        var after = await client.PushAndReadAsync("cdr", Samples.Cdr, "during-outage");
        using var readyAfter = await client.GetAsync("/health/ready");

        Assert.Equal(503, during.Status);
        Assert.Equal(5030, during.ErrCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyDuring.StatusCode);
        Assert.Equal(HttpStatusCode.OK, liveDuring.StatusCode);
        Assert.Equal(new PushReply(200, 0, "ok"), after);
        Assert.Equal(HttpStatusCode.OK, readyAfter.StatusCode);
        Assert.Equal(2L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions"));
    }

    [Fact]
    public async Task A_service_started_before_its_database_is_reachable_becomes_ready_when_it_is()
    {
        var direct = new NpgsqlConnectionStringBuilder(await postgres.CreateEmptyDatabaseAsync());
        await using var proxy = new TcpProxy(direct.Port);
        var throughProxy = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = proxy.Port, Timeout = 3 };
        await using var app = new CallPushApp(throughProxy.ConnectionString);
        var client = app.CreateClient();

        using var notReady = await client.GetAsync("/health/ready");
        var early = await client.PushAndReadAsync("cdr", Samples.Cdr, "too-early");
        proxy.Start();
        await app.WaitUntilReadyAsync(TimeSpan.FromSeconds(20));
        var later = await client.PushAndReadAsync("cdr", Samples.Cdr, "too-early");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal(new PushReply(503, 5030, "database is not ready yet; push again later"), early);
        Assert.Equal("ok", later.ErrMsg);
    }
}
