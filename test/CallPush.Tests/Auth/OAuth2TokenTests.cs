using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using CallPush.Api.Features.Auth;
using CallPush.Tests.Infrastructure;
using static CallPush.Tests.Auth.AuthTestSupport;

namespace CallPush.Tests.Auth;

public sealed class OAuth2TokenTests(PostgresFixture postgres)
{
    private const string ClientId = "tccc-push";
    private const string ClientSecret = "s3cr3t-with+plus/and=symbols";

    private static Dictionary<string, string?> Settings() => new()
    {
        ["CallPush:Auth:Mode"] = "OAuth2",
        ["CallPush:Auth:OAuth2:ClientId"] = ClientId,
        ["CallPush:Auth:OAuth2:ClientSecret"] = ClientSecret,
    };

    [Fact]
    public async Task Client_secret_basic_issues_a_bearer_token_that_authenticates_pushes()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.CreateClient();

        using var response = await client.RequestTokenAsync(Form(("grant_type", "client_credentials")), Basic(ClientId, ClientSecret));
        var json = await response.JsonAsync();
        var token = json.GetProperty("access_token").GetString()!;
        client.DefaultRequestHeaders.Authorization = Bearer(token);
        var reply = await client.PushAndReadAsync("record", Samples.Record, "uuid-oauth-1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(3600, json.GetProperty("expires_in").GetInt32());
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.True(Base64UrlLength(token) >= 32, "at least 256 random bits");
        Assert.Equal(new PushReply(200, 0, "ok"), reply);
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM recordings"));
    }

    [Fact]
    public async Task Client_id_and_secret_may_be_form_urlencoded_inside_the_basic_header_as_RFC_6749_says()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.CreateClient();

        using var response = await client.RequestTokenAsync(Form(("grant_type", "client_credentials")),
            Basic(Uri.EscapeDataString(ClientId), Uri.EscapeDataString(ClientSecret)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Client_secret_post_issues_a_token()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.CreateClient();

        using var response = await client.RequestTokenAsync(Form(("grant_type", "client_credentials"), ("client_id", ClientId), ("client_secret", ClientSecret)));
        client.DefaultRequestHeaders.Authorization = Bearer((await response.JsonAsync()).GetProperty("access_token").GetString()!);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (await client.PushAndReadAsync("record", Samples.Record, "uuid-oauth-post")).ErrCode);
    }

    [Fact]
    public async Task A_json_body_issues_a_token()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.CreateClient();

        using var response = await client.RequestTokenAsync(Json(
            $$"""{"grant_type":"client_credentials","client_id":"{{ClientId}}","client_secret":"{{ClientSecret}}"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", (await response.JsonAsync()).GetProperty("token_type").GetString());
    }

    [Fact]
    public async Task Tokens_are_stored_only_as_their_SHA256_hash()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.CreateClient();

        var token = await client.TokenAsync(ClientId, ClientSecret);
        var row = Assert.Single(await app.RowsAsync("SELECT * FROM oauth_access_tokens"));

        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(token)), row["token_hash"]);
        Assert.Equal(ClientId, row["client_id"]);
        Assert.DoesNotContain(row.Values, value => value is string text && text.Contains(token, StringComparison.Ordinal));
        Assert.False(await app.ScalarAsync<bool>("SELECT has_table_privilege('callpush_reader', 'oauth_access_tokens', 'SELECT')"));
        Assert.True(await app.ScalarAsync<bool>("SELECT has_table_privilege('callpush_reader', 'push_log', 'SELECT')"));
    }

    [Theory]
    [InlineData("grant_type=client_credentials", "Basic dGNjYy1wdXNoOndyb25n", 401, "invalid_client")] // tccc-push:wrong
    [InlineData("grant_type=client_credentials&client_id=tccc-push&client_secret=wrong", null, 401, "invalid_client")]
    [InlineData("grant_type=client_credentials&client_id=tccc-push", null, 401, "invalid_client")]
    [InlineData("grant_type=client_credentials", null, 401, "invalid_client")]
    [InlineData("grant_type=client_credentials", "Basic %%%", 401, "invalid_client")]
    [InlineData("grant_type=client_credentials", "Bearer abc", 401, "invalid_client")]
    [InlineData("client_id=tccc-push&client_secret=x", null, 400, "invalid_request")]
    [InlineData("grant_type=client_credentials&grant_type=client_credentials", null, 400, "invalid_request")]
    [InlineData("grant_type=client_credentials&client_secret=x", "Basic dGNjYy1wdXNoOng=", 400, "invalid_request")]
    [InlineData("grant_type=password&username=a&password=b", null, 400, "unsupported_grant_type")]
    [InlineData("grant_type=authorization_code&code=x", null, 400, "unsupported_grant_type")]
    public async Task Token_errors_have_the_RFC_6749_shape(string form, string? authorization, int status, string error)
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.CreateClient();

        using var response = await client.RequestTokenAsync(
            new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"), authorization);
        var json = await response.JsonAsync();

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.True(json.TryGetProperty("error_description", out _));
        Assert.True(response.Headers.CacheControl?.NoStore);
        if (status == 401)
        {
            Assert.StartsWith("Basic realm=", response.WwwAuthenticate());
        }
        Assert.DoesNotContain(ClientSecret, json.ToString(), StringComparison.Ordinal);
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM oauth_access_tokens"));
    }

    [Theory]
    [InlineData("{\"grant_type\":\"client_credentials\",\"client_id\":\"tccc-push\",\"client_secret\":\"nope\"}", 401, "invalid_client")]
    [InlineData("{\"grant_type\":\"client_credentials\"", 400, "invalid_request")]
    [InlineData("[1,2]", 400, "invalid_request")]
    [InlineData("{\"grant_type\":1}", 400, "invalid_request")]
    [InlineData("{\"grant_type\":\"refresh_token\"}", 400, "unsupported_grant_type")]
    public async Task Json_token_errors_have_the_RFC_6749_shape(string body, int status, string error)
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.CreateClient();

        using var response = await client.RequestTokenAsync(Json(body));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(error, (await response.JsonAsync()).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(null, "Bearer realm=\"CallPush\"")]
    [InlineData("Bearer not-a-token-we-issued", "Bearer realm=\"CallPush\", error=\"invalid_token\"")]
    [InlineData("Bearer", "Bearer realm=\"CallPush\"")]
    [InlineData("Bearer a b", "Bearer realm=\"CallPush\"")]
    [InlineData("Bearer t\u00f6ken", "Bearer realm=\"CallPush\"")]
    [InlineData("Basic dGNjYy1wdXNoOnMzY3IzdC13aXRoK3BsdXMvYW5kPXN5bWJvbHM=", "Bearer realm=\"CallPush\"")] // the client credentials themselves
    public async Task Pushes_without_a_valid_bearer_token_are_refused_and_not_stored(string? authorization, string challenge)
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.ClientWithAuthorization(authorization);

        using var response = await client.PushAsync("cdr", Samples.Cdr, "uuid-no-token");
        var reply = await response.ReadPushReplyAsync();

        Assert.Equal(new PushReply(401, 4010, "authentication failed"), reply);
        Assert.Equal(challenge, response.WwwAuthenticate());
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var settings = Settings();
        settings["CallPush:Auth:OAuth2:TokenLifetime"] = "00:00:01";
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = Bearer(await client.TokenAsync(ClientId, ClientSecret));
        Assert.Equal(0, (await client.PushAndReadAsync("record", Samples.Record, "uuid-exp-1")).ErrCode);

        await Task.Delay(1200, TestContext.Current.CancellationToken);
        var reply = await client.PushAndReadAsync("record", Samples.Record, "uuid-exp-2");

        Assert.Equal(4010, reply.ErrCode);
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task Expired_tokens_are_purged()
    {
        var settings = Settings();
        settings["CallPush:Auth:OAuth2:TokenLifetime"] = "00:00:01";
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var client = app.CreateClient();
        await client.TokenAsync(ClientId, ClientSecret);
        var store = (AccessTokenStore)app.Services.GetService(typeof(AccessTokenStore))!;

        Assert.Equal(0, await store.PurgeExpiredAsync(TestContext.Current.CancellationToken));
        await Task.Delay(1100, TestContext.Current.CancellationToken);
        Assert.Equal(1, await store.PurgeExpiredAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM oauth_access_tokens"));
    }

    [Fact]
    public async Task A_token_issued_by_one_instance_is_accepted_by_another_on_the_same_database()
    {
        await using var first = await CallPushApp.StartAsync(postgres, Settings());
        await using var second = new CallPushApp(first.ConnectionString, Settings());
        await second.WaitUntilReadyAsync();
        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();

        secondClient.DefaultRequestHeaders.Authorization = Bearer(await firstClient.TokenAsync(ClientId, ClientSecret));
        var reply = await secondClient.PushAndReadAsync("record", Samples.Record, "uuid-two-instances");

        Assert.Equal(new PushReply(200, 0, "ok"), reply);
    }

    [Fact]
    public async Task During_rotation_both_client_secrets_get_tokens_and_a_hashed_secret_works()
    {
        var settings = Settings();
        settings["CallPush:Auth:OAuth2:ClientSecret"] = StoredSecret.Hash("old-client-secret", iterations: 20_000);
        settings["CallPush:Auth:OAuth2:SecondaryClientSecret"] = "new-client-secret";
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var client = app.CreateClient();

        using var old = await client.RequestTokenAsync(Form(("grant_type", "client_credentials")), Basic(ClientId, "old-client-secret"));
        using var renewed = await client.RequestTokenAsync(Form(("grant_type", "client_credentials")), Basic(ClientId, "new-client-secret"));
        using var wrong = await client.RequestTokenAsync(Form(("grant_type", "client_credentials")), Basic(ClientId, "third-client-secret"));

        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Repeated_token_failures_are_answered_429_with_an_ErrCode_body()
    {
        var settings = Settings();
        settings["CallPush:Auth:MaxFailures"] = "2";
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var client = app.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            using var failed = await client.RequestTokenAsync(Form(("grant_type", "client_credentials")), Basic(ClientId, "wrong"));
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var blocked = await client.RequestTokenAsync(Form(("grant_type", "client_credentials")), Basic(ClientId, ClientSecret));

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Equal(4290, (await blocked.JsonAsync()).GetProperty("ErrCode").GetInt32());
    }

    private static int Base64UrlLength(string token) => System.Buffers.Text.Base64Url.DecodeFromChars(token).Length;
}
