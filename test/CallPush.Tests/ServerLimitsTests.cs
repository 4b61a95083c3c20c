using System.Net;
using CallPush.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CallPush.Tests;

public sealed class ServerLimitsTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Kestrel_limits_and_the_shutdown_timeout_come_from_configuration()
    {
        await using var app = await CallPushApp.StartAsync(postgres, new Dictionary<string, string?>
        {
            ["CallPush:Push:MaxBodyBytes"] = "65536",
            ["CallPush:Server:RequestHeadersTimeout"] = "00:00:07",
            ["CallPush:Server:KeepAliveTimeout"] = "00:01:05",
            ["CallPush:Server:MaxConcurrentConnections"] = "500",
            ["CallPush:ShutdownTimeout"] = "00:00:12",
        });

        var limits = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        Assert.Equal(65536, limits.MaxRequestBodySize);
        Assert.Equal(TimeSpan.FromSeconds(7), limits.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(65), limits.KeepAliveTimeout);
        Assert.Equal(500, limits.MaxConcurrentConnections);
        Assert.Equal(TimeSpan.FromSeconds(12), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Fact]
    public async Task Defaults_fit_the_push_limit_and_a_30_second_grace_period()
    {
        await using var app = await CallPushApp.StartAsync(postgres);

        var limits = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        Assert.Equal(1024 * 1024, limits.MaxRequestBodySize);
        Assert.Equal(TimeSpan.FromSeconds(15), limits.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(120), limits.KeepAliveTimeout);
        Assert.Null(limits.MaxConcurrentConnections);
        Assert.Equal(TimeSpan.FromSeconds(25), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Theory]
    [InlineData("CallPush:ShutdownTimeout", "00:00:00", "ShutdownTimeout")]
    [InlineData("CallPush:Server:RequestHeadersTimeout", "00:00:00", "RequestHeadersTimeout")]
    [InlineData("CallPush:RateLimit:PermitLimit", "0", "PermitLimit")]
    [InlineData("CallPush:ShutdownTimeout", "00:00:05", "CallPush:Push:StorageTimeout")]
    public async Task A_setting_out_of_range_stops_the_start_and_names_the_setting(string key, string value, string named)
    {
        await using var app = new CallPushApp(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => app.Services);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Per_address_rate_limit_answers_429_with_ErrCode_4290_past_the_limit()
    {
        await using var app = await CallPushApp.StartAsync(postgres, new Dictionary<string, string?>
        {
            ["CallPush:RateLimit:Enabled"] = "true",
            ["CallPush:RateLimit:PermitLimit"] = "2",
            ["CallPush:RateLimit:Window"] = "00:10:00",
        });
        using var client = app.CreateClient();

        var first = await client.PushAndReadAsync("record", Samples.Record, "uuid-rate-1");
        var second = await client.PushAndReadAsync("record", Samples.Record, "uuid-rate-2");
        using var third = await client.PushAsync("record", Samples.Record, "uuid-rate-3");
        var thirdReply = await third.ReadPushReplyAsync();
        using var health = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(0, first.ErrCode);
        Assert.Equal(0, second.ErrCode);
        Assert.Equal(new PushReply(429, 4290, "too many pushes from this address; push again later"), thirdReply);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(2L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task Behind_a_proxy_with_forwarded_headers_enabled_each_sender_address_has_its_own_limit()
    {
        await using var app = await CallPushApp.StartAsync(postgres, new Dictionary<string, string?>
        {
            ["FORWARDEDHEADERS_ENABLED"] = "true",
            ["CallPush:RateLimit:Enabled"] = "true",
            ["CallPush:RateLimit:PermitLimit"] = "1",
            ["CallPush:RateLimit:Window"] = "00:10:00",
        });
        using var client = app.CreateClient();

        var first = await PushFromAsync(client, "203.0.113.10", "uuid-forwarded-1");
        var other = await PushFromAsync(client, "203.0.113.11", "uuid-forwarded-2");
        var again = await PushFromAsync(client, "203.0.113.10", "uuid-forwarded-3");

        Assert.Equal(0, first.ErrCode);
        Assert.Equal(0, other.ErrCode);
        Assert.Equal(4290, again.ErrCode);
        Assert.Equal("203.0.113.10", await app.ScalarAsync<string>("SELECT headers->>'RemoteAddress' FROM push_log WHERE dedup_key = 'uuid-forwarded-1'"));
    }

    private static async Task<PushReply> PushFromAsync(HttpClient client, string forwardedFor, string pushUuid)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/push?action=record&version=1")
        {
            Content = new StringContent(Samples.Record, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-TCCC-PUSH-UUID", pushUuid);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return await response.ReadPushReplyAsync();
    }

    [Fact]
    public async Task Rate_limit_is_off_by_default()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        using var client = app.CreateClient();

        var replies = new List<PushReply>();
        for (var i = 0; i < 120; i++)
        {
            replies.Add(await client.PushAndReadAsync("record", Samples.Record, "uuid-unlimited"));
        }

        Assert.All(replies, reply => Assert.Equal(0, reply.ErrCode));
    }
}
