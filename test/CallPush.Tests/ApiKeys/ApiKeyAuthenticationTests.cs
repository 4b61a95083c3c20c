using System.Net;
using CallPush.Api.Features.ApiKeys;
using CallPush.Tests.Auth;
using CallPush.Tests.Infrastructure;
using CallPush.Tests.Recordings;
using Microsoft.Extensions.DependencyInjection;

namespace CallPush.Tests.ApiKeys;

public sealed class ApiKeyAuthenticationTests(PostgresFixture postgres)
{
    private const string ListPath = "/recordings?sdkAppId=1400482256&sessionId=s-1";

    private static Dictionary<string, string?> Basic => new()
    {
        ["CallPush:Auth:Mode"] = "Basic",
        ["CallPush:Auth:Basic:Username"] = "tccc",
        ["CallPush:Auth:Basic:Password"] = "correct horse battery staple",
    };

    private static Dictionary<string, string?> OAuth2 => new()
    {
        ["CallPush:Auth:Mode"] = "OAuth2",
        ["CallPush:Auth:OAuth2:ClientId"] = "tccc",
        ["CallPush:Auth:OAuth2:ClientSecret"] = "a-long-client-secret-0001",
    };

    [Fact]
    public async Task A_key_opens_the_analyst_api_as_a_bearer_token_and_in_the_X_API_Key_header()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        var key = await app.CreateKeyAsync();
        using var bearer = app.AnalystClient(key);
        using var header = app.CreateClient();
        header.DefaultRequestHeaders.Add("X-API-Key", key);

        using var viaBearer = await bearer.GetAsync(ListPath);
        using var viaHeader = await header.GetAsync(ListPath);

        Assert.Equal(HttpStatusCode.OK, viaBearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viaHeader.StatusCode);
        Assert.True(await app.ScalarAsync<bool>("SELECT last_used_at > now() - interval '1 minute' FROM api_keys"));
    }

    [Fact]
    public async Task A_missing_wrong_malformed_or_revoked_key_gets_401_with_a_JSON_error_and_the_analysts_challenge()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        var key = await app.CreateKeyAsync();
        var revoked = await app.CreateKeyAsync("departed");
        Assert.Equal(RevokeResult.Revoked, await app.Services.GetRequiredService<ApiKeyStore>().RevokeAsync(revoked[4..12], CancellationToken.None));
        var wrongSecret = key[..^4] + (key[^4..] == "AAAA" ? "BBBB" : "AAAA");
        string?[] refused = [null, "Bearer " + wrongSecret, "Bearer " + revoked, "Bearer not-a-key", "Bearer cpk_00000000_" + new string('A', 43), "Bearer "];

        foreach (var authorization in refused)
        {
            using var client = app.ClientWithAuthorization(authorization);
            using var response = await client.GetAsync(ListPath);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Equal("Bearer realm=\"CallPush analysts\"", response.WwwAuthenticate());
            var error = (await response.JsonAsync()).GetProperty("error").GetString();
            Assert.False(string.IsNullOrEmpty(error));
            Assert.DoesNotContain(key[12..], await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM recording_access_log"));
    }

    [Fact]
    public async Task Basic_push_credentials_do_not_open_the_analyst_api_and_an_analyst_key_does_not_open_push()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Basic);
        var key = await app.CreateKeyAsync();
        using var pusher = app.ClientWithAuthorization(AuthTestSupport.Basic("tccc", "correct horse battery staple"));
        using var analyst = app.AnalystClient(key);
        using var analystHeader = app.CreateClient();
        analystHeader.DefaultRequestHeaders.Add("X-API-Key", key);

        using var listing = await pusher.GetAsync(ListPath);
        var pushWithKey = await analyst.PushAndReadAsync("record", Samples.Record, "uuid-key-1");
        var pushWithKeyHeader = await analystHeader.PushAndReadAsync("record", Samples.Record, "uuid-key-2");
        var pushWithBasic = await pusher.PushAndReadAsync("record", Samples.Record, "uuid-key-3");

        Assert.Equal(HttpStatusCode.Unauthorized, listing.StatusCode);
        Assert.Equal("Bearer realm=\"CallPush analysts\"", listing.WwwAuthenticate());
        Assert.Equal(new PushReply(401, 4010, "authentication failed"), pushWithKey);
        Assert.Equal(new PushReply(401, 4010, "authentication failed"), pushWithKeyHeader);
        Assert.Equal(0, pushWithBasic.ErrCode);
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task A_push_token_does_not_open_the_analyst_api_and_an_analyst_key_is_not_a_push_token()
    {
        await using var app = await CallPushApp.StartAsync(postgres, OAuth2);
        var key = await app.CreateKeyAsync();
        using var anonymous = app.CreateClient();
        var token = await anonymous.TokenAsync("tccc", "a-long-client-secret-0001");
        using var pusher = app.ClientWithAuthorization("Bearer " + token);
        using var analyst = app.AnalystClient(key);

        using var listing = await pusher.GetAsync(ListPath);
        var pushWithKey = await analyst.PushAndReadAsync("record", Samples.Record, "uuid-key-4");
        var pushWithToken = await pusher.PushAndReadAsync("record", Samples.Record, "uuid-key-5");

        Assert.Equal(HttpStatusCode.Unauthorized, listing.StatusCode);
        Assert.Equal(401, pushWithKey.Status);
        Assert.Equal(4010, pushWithKey.ErrCode);
        Assert.Equal(0, pushWithToken.ErrCode);
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task Rotation_two_keys_per_name_work_side_by_side_a_third_is_refused_and_a_revoked_one_stops_at_once()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        var store = app.Services.GetRequiredService<ApiKeyStore>();
        var old = await store.CreateAsync("bi-export", CancellationToken.None);
        var replacement = await store.CreateAsync("bi-export", CancellationToken.None);
        var otherName = await store.CreateAsync("someone-else", CancellationToken.None);

        var third = await Assert.ThrowsAsync<TooManyActiveKeysException>(() => store.CreateAsync("bi-export", CancellationToken.None));
        using var oldClient = app.AnalystClient(old.Key);
        using var newClient = app.AnalystClient(replacement.Key);
        var bothWork = ((await oldClient.GetAsync(ListPath)).StatusCode, (await newClient.GetAsync(ListPath)).StatusCode);
        Assert.Equal(RevokeResult.Revoked, await store.RevokeAsync(old.Prefix, CancellationToken.None));
        using var afterRevoke = await oldClient.GetAsync(ListPath);
        var fourth = await store.CreateAsync("bi-export", CancellationToken.None);

        Assert.Contains("'bi-export' already has 2 active keys", third.Message, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), bothWork);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
        Assert.Equal(RevokeResult.AlreadyRevoked, await store.RevokeAsync(old.Prefix, CancellationToken.None));
        Assert.Equal(RevokeResult.NotFound, await store.RevokeAsync("00000000", CancellationToken.None));
        var listed = await store.ListAsync(CancellationToken.None);
        Assert.Equal(4, listed.Count);
        Assert.Equal([old.Prefix], listed.Where(k => k.RevokedAt is not null).Select(k => k.Prefix));
        Assert.Equal(2, listed.Count(k => k.Name == "bi-export" && k.RevokedAt is null));
        Assert.Contains(listed, k => k.Prefix == otherName.Prefix && k.Name == "someone-else");
        Assert.Contains(listed, k => k.Prefix == fourth.Prefix);
    }

    [Fact]
    public async Task Concurrent_creators_never_give_a_name_more_than_two_active_keys()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        var store = app.Services.GetRequiredService<ApiKeyStore>();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            try
            {
                await store.CreateAsync("race", CancellationToken.None);
                return true;
            }
            catch (TooManyActiveKeysException)
            {
                return false;
            }
        }));

        Assert.Equal(2, attempts.Count(created => created));
        Assert.Equal(2L, await app.ScalarAsync<long>("SELECT count(*) FROM api_keys WHERE name = 'race' AND revoked_at IS NULL"));
    }

    [Fact]
    public async Task Keys_are_stored_only_as_their_SHA256_and_have_the_documented_shape()
    {
        await using var app = await CallPushApp.StartAsync(postgres);

        var key = await app.CreateKeyAsync();

        Assert.Matches("^cpk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$", key);
        var row = Assert.Single(await app.RowsAsync("SELECT prefix, key_hash FROM api_keys"));
        Assert.Equal(key[4..12], row["prefix"]);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(key)), (byte[])row["key_hash"]!);
    }

    [Fact]
    public async Task The_reader_role_can_read_the_access_audit_but_not_the_keys()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        await app.CreateKeyAsync();
        await using var connection = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using (var asReader = new Npgsql.NpgsqlCommand("SET ROLE callpush_reader", connection))
        {
            await asReader.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var audit = new Npgsql.NpgsqlCommand("SELECT count(*) FROM recording_access_log", connection);
        await using var keys = new Npgsql.NpgsqlCommand("SELECT count(*) FROM api_keys", connection);

        Assert.Equal(0L, await audit.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        var denied = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => keys.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        Assert.Equal(Npgsql.PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }
}
