using CallPush.Tests.Infrastructure;
using static CallPush.Tests.Auth.AuthTestSupport;

namespace CallPush.Tests.Auth;

public sealed class IntrospectionTests(PostgresFixture postgres) : IAsyncLifetime
{
    private FakeAuthorizationServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeAuthorizationServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private Dictionary<string, string?> Settings() => new()
    {
        ["CallPush:Auth:Mode"] = "OAuth2",
        ["CallPush:Auth:OAuth2:IntrospectionEndpoint"] = _server.IntrospectionEndpoint.ToString(),
        ["CallPush:Auth:OAuth2:IntrospectionClientId"] = FakeAuthorizationServer.IntrospectorId,
        ["CallPush:Auth:OAuth2:IntrospectionClientSecret"] = FakeAuthorizationServer.IntrospectorSecret,
        ["CallPush:Auth:OAuth2:IntrospectionTimeout"] = "00:00:02",
    };

    [Fact]
    public async Task A_token_from_the_external_server_is_accepted_and_the_answer_cached()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var authServer = new HttpClient { BaseAddress = _server.BaseAddress };
        using var tokenResponse = await authServer.PostAsync("/token", Form(("grant_type", "client_credentials"), ("client_id", "tccc")),
            TestContext.Current.CancellationToken);
        var token = (await tokenResponse.JsonAsync()).GetProperty("access_token").GetString()!;
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = Bearer(token);

        var first = await client.PushAndReadAsync("record", Samples.Record, "uuid-introspect-1");
        var second = await client.PushAndReadAsync("record", Samples.Record, "uuid-introspect-2");

        Assert.Equal(new PushReply(200, 0, "ok"), first);
        Assert.Equal(0, second.ErrCode);
        Assert.Equal(1, _server.Introspections);
    }

    [Fact]
    public async Task An_unknown_token_is_refused_and_not_stored()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.ClientWithAuthorization("Bearer " + Convert.ToBase64String(new byte[32]));

        using var response = await client.PushAsync("cdr", Samples.Cdr, "uuid-introspect-unknown");
        var reply = await response.ReadPushReplyAsync();

        Assert.Equal(new PushReply(401, 4010, "authentication failed"), reply);
        Assert.Contains("invalid_token", response.WwwAuthenticate(), StringComparison.Ordinal);
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task An_analyst_API_key_sent_to_push_is_refused_without_asking_the_external_server()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        var key = await Recordings.RecordingTestSupport.CreateKeyAsync(app);
        using var client = app.ClientWithAuthorization("Bearer " + key);

        var reply = await client.PushAndReadAsync("record", Samples.Record, "uuid-introspect-analyst-key");

        Assert.Equal(new PushReply(401, 4010, "authentication failed"), reply);
        Assert.Equal(0, _server.Introspections);
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task A_token_of_another_client_is_refused_when_the_accepted_client_is_set()
    {
        var settings = Settings();
        settings["CallPush:Auth:OAuth2:IntrospectionAcceptedClientId"] = "tccc";
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var client = app.CreateClient();

        client.DefaultRequestHeaders.Authorization = Bearer(_server.Issue("someone-else", TimeSpan.FromHours(1)));
        var other = await client.PushAndReadAsync("record", Samples.Record, "uuid-introspect-other");
        client.DefaultRequestHeaders.Authorization = Bearer(_server.Issue("tccc", TimeSpan.FromHours(1)));
        var ours = await client.PushAndReadAsync("record", Samples.Record, "uuid-introspect-ours");

        Assert.Equal(4010, other.ErrCode);
        Assert.Equal(0, ours.ErrCode);
    }

    [Fact]
    public async Task While_the_server_fails_a_push_is_refused_with_a_retryable_answer()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.ClientWithAuthorization("Bearer " + _server.Issue("tccc", TimeSpan.FromHours(1)));
        _server.Failing = true;

        using var response = await client.PushAsync("cdr", Samples.Cdr, "uuid-introspect-503");
        var reply = await response.ReadPushReplyAsync();
        _server.Failing = false;
        var after = await client.PushAndReadAsync("cdr", Samples.Cdr, "uuid-introspect-503");

        Assert.Equal(503, reply.Status);
        Assert.Equal(5031, reply.ErrCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.True(_server.Introspections >= 3, "transient failures are retried");
        Assert.Equal(0, after.ErrCode);
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task When_the_server_is_down_a_push_is_refused_with_a_retryable_answer_not_accepted()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.ClientWithAuthorization("Bearer " + _server.Issue("tccc", TimeSpan.FromHours(1)));
        await _server.StopAsync();

        var reply = await client.PushAndReadAsync("cdr", Samples.Cdr, "uuid-introspect-down");

        Assert.Equal(new PushReply(503, 5031, "authentication is unavailable right now; push again later"), reply);
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task Wrong_introspection_credentials_make_pushes_retryable_not_accepted()
    {
        var settings = Settings();
        settings["CallPush:Auth:OAuth2:IntrospectionClientSecret"] = "not-the-secret";
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var client = app.ClientWithAuthorization("Bearer " + _server.Issue("tccc", TimeSpan.FromHours(1)));

        var reply = await client.PushAndReadAsync("cdr", Samples.Cdr, "uuid-introspect-misconfigured");

        Assert.Equal(5031, reply.ErrCode);
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task Local_tokens_and_external_tokens_work_side_by_side()
    {
        var settings = Settings();
        settings["CallPush:Auth:OAuth2:ClientId"] = "local";
        settings["CallPush:Auth:OAuth2:ClientSecret"] = "local-secret";
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var client = app.CreateClient();

        client.DefaultRequestHeaders.Authorization = Bearer(await client.TokenAsync("local", "local-secret"));
        var local = await client.PushAndReadAsync("record", Samples.Record, "uuid-side-1");
        client.DefaultRequestHeaders.Authorization = Bearer(_server.Issue("tccc", TimeSpan.FromHours(1)));
        var external = await client.PushAndReadAsync("record", Samples.Record, "uuid-side-2");

        Assert.Equal(0, local.ErrCode);
        Assert.Equal(0, external.ErrCode);
        Assert.Equal(1, _server.Introspections);
    }
}
