using CallPush.Api.Features.Auth;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Auth;

public sealed class BasicAuthTests(PostgresFixture postgres)
{
    private static Dictionary<string, string?> Settings(string password = "correct horse battery staple") => new()
    {
        ["CallPush:Auth:Mode"] = "Basic",
        ["CallPush:Auth:Basic:Username"] = "tccc",
        ["CallPush:Auth:Basic:Password"] = password,
    };

    [Fact]
    public async Task Good_credentials_are_accepted_and_the_push_stored()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.ClientWithAuthorization(AuthTestSupport.Basic("tccc", "correct horse battery staple"));

        var reply = await client.PushAndReadAsync("record", Samples.Record, "uuid-basic-ok");

        Assert.Equal(new PushReply(200, 0, "ok"), reply);
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM recordings"));
    }

    [Fact]
    public async Task Bad_missing_and_malformed_credentials_are_refused_and_nothing_is_stored()
    {
        string?[] refused =
        [
            null,
            "Basic dHRjYzp3cm9uZw==", // tccc:wrong
            "Basic b3RoZXI6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5IHN0YXBsZQ==", // other:correct horse battery staple
            "Basic !!!not-base64!!!",
            "Bearer dGNjYzpjb3JyZWN0IGhvcnNlIGJhdHRlcnkgc3RhcGxl", // right pair, wrong scheme
        ];
        await using var app = await CallPushApp.StartAsync(postgres, Settings());

        foreach (var authorization in refused)
        {
            using var client = app.ClientWithAuthorization(authorization);
            using var response = await client.PushAsync("cdr", Samples.Cdr, "uuid-basic-bad");
            var reply = await response.ReadPushReplyAsync();

            Assert.Equal(new PushReply(401, 4010, "authentication failed"), reply);
            Assert.StartsWith("Basic realm=\"CallPush\"", response.WwwAuthenticate());
        }
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task The_answer_to_a_refused_push_does_not_echo_the_credentials()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.ClientWithAuthorization(AuthTestSupport.Basic("tccc", "guess-123"));

        using var response = await client.PushAsync("cdr", Samples.Cdr, "uuid-echo");
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.DoesNotContain("guess-123", text, StringComparison.Ordinal);
        Assert.DoesNotContain("tccc", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task During_rotation_both_passwords_are_accepted()
    {
        var settings = Settings("old-password-0001");
        settings["CallPush:Auth:Basic:SecondaryPassword"] = "new-password-0002";
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var oldClient = app.ClientWithAuthorization(AuthTestSupport.Basic("tccc", "old-password-0001"));
        using var newClient = app.ClientWithAuthorization(AuthTestSupport.Basic("tccc", "new-password-0002"));
        using var otherClient = app.ClientWithAuthorization(AuthTestSupport.Basic("tccc", "new-password-0003"));

        Assert.Equal(0, (await oldClient.PushAndReadAsync("record", Samples.Record, "uuid-rot-1")).ErrCode);
        Assert.Equal(0, (await newClient.PushAndReadAsync("record", Samples.Record, "uuid-rot-2")).ErrCode);
        Assert.Equal(4010, (await otherClient.PushAndReadAsync("record", Samples.Record, "uuid-rot-3")).ErrCode);
        Assert.Equal(2L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task A_secondary_pair_may_change_the_username_too()
    {
        var settings = Settings("old-password-0001");
        settings["CallPush:Auth:Basic:SecondaryUsername"] = "tccc-2027";
        settings["CallPush:Auth:Basic:SecondaryPassword"] = "new-password-0002";
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var newClient = app.ClientWithAuthorization(AuthTestSupport.Basic("tccc-2027", "new-password-0002"));
        using var crossed = app.ClientWithAuthorization(AuthTestSupport.Basic("tccc-2027", "old-password-0001"));

        Assert.Equal(0, (await newClient.PushAndReadAsync("record", Samples.Record, "uuid-rot-4")).ErrCode);
        Assert.Equal(4010, (await crossed.PushAndReadAsync("record", Samples.Record, "uuid-rot-5")).ErrCode);
    }

    [Fact]
    public async Task A_hashed_password_is_accepted_and_a_wrong_one_refused()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings(StoredSecret.Hash("hashed-secret-value", iterations: 20_000)));
        using var good = app.ClientWithAuthorization(AuthTestSupport.Basic("tccc", "hashed-secret-value"));
        using var bad = app.ClientWithAuthorization(AuthTestSupport.Basic("tccc", "hashed-secret-valuE"));

        Assert.Equal(0, (await good.PushAndReadAsync("record", Samples.Record, "uuid-hash-1")).ErrCode);
        Assert.Equal(0, (await good.PushAndReadAsync("record", Samples.Record, "uuid-hash-2")).ErrCode);
        Assert.Equal(4010, (await bad.PushAndReadAsync("record", Samples.Record, "uuid-hash-3")).ErrCode);
        Assert.Equal(2L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task Repeated_failures_from_one_address_are_answered_429_even_with_good_credentials()
    {
        var settings = Settings();
        settings["CallPush:Auth:MaxFailures"] = "3";
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var good = app.ClientWithAuthorization(AuthTestSupport.Basic("tccc", "correct horse battery staple"));
        using var bad = app.ClientWithAuthorization(AuthTestSupport.Basic("tccc", "wrong"));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(0, (await good.PushAndReadAsync("record", Samples.Record, $"uuid-rl-good-{i}")).ErrCode);
        }

        var failures = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            failures.Add((await bad.PushAndReadAsync("record", Samples.Record, $"uuid-rl-bad-{i}")).Status);
        }
        using var blocked = await good.PushAsync("record", Samples.Record, "uuid-rl-after");
        var reply = await blocked.ReadPushReplyAsync();

        Assert.Equal([401, 401, 401], failures);
        Assert.Equal(429, reply.Status);
        Assert.Equal(4290, reply.ErrCode);
        Assert.NotNull(blocked.Headers.RetryAfter);
        Assert.Equal(5L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task The_token_endpoint_does_not_exist_in_Basic_mode()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings());
        using var client = app.CreateClient();

        using var response = await client.RequestTokenAsync(AuthTestSupport.Form(("grant_type", "client_credentials")),
            AuthTestSupport.Basic("tccc", "correct horse battery staple"));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
