using System.Globalization;
using System.Net;
using CallPush.Api.Features.Auth;
using CallPush.Tests.Infrastructure;
using static CallPush.Tests.Auth.AuthTestSupport;

namespace CallPush.Tests.Auth;

/// <summary>Sources with their own push credentials: each writes only its own SdkAppIds, and push_log says which source pushed.</summary>
public sealed class SourceCredentialsTests(PostgresFixture postgres)
{
    private const long AlphaApp = 1400000001;
    private const long AlphaApp2 = 1400000002;
    private const long BetaApp = 1400000011;
    private const long UnclaimedApp = 1400000099;

    private static Dictionary<string, string?> BasicSettings() => new()
    {
        ["CallPush:Auth:Mode"] = "Basic",
        ["CallPush:Auth:Basic:Username"] = "tccc",
        ["CallPush:Auth:Basic:Password"] = "global-password-0001",
        ["CallPush:Sources:alpha:SdkAppIds:0"] = AlphaApp.ToString(CultureInfo.InvariantCulture),
        ["CallPush:Sources:alpha:SdkAppIds:1"] = AlphaApp2.ToString(CultureInfo.InvariantCulture),
        ["CallPush:Sources:alpha:Auth:Basic:Username"] = "alpha-push",
        ["CallPush:Sources:alpha:Auth:Basic:Password"] = "alpha-password-0001",
        ["CallPush:Sources:beta:SdkAppIds:0"] = BetaApp.ToString(CultureInfo.InvariantCulture),
        ["CallPush:Sources:beta:Auth:Basic:Username"] = "beta-push",
        ["CallPush:Sources:beta:Auth:Basic:Password"] = StoredSecret.Hash("beta-password-old", iterations: 20_000),
        ["CallPush:Sources:beta:Auth:Basic:SecondaryUsername"] = "beta-push-2027",
        ["CallPush:Sources:beta:Auth:Basic:SecondaryPassword"] = "beta-password-new",
    };

    private static Dictionary<string, string?> OAuth2Settings() => new()
    {
        ["CallPush:Auth:Mode"] = "OAuth2",
        ["CallPush:Auth:OAuth2:ClientId"] = "tccc",
        ["CallPush:Auth:OAuth2:ClientSecret"] = "global-client-secret",
        ["CallPush:Sources:alpha:SdkAppIds:0"] = AlphaApp.ToString(CultureInfo.InvariantCulture),
        ["CallPush:Sources:alpha:Auth:OAuth2:ClientId"] = "alpha-client",
        ["CallPush:Sources:alpha:Auth:OAuth2:ClientSecret"] = "alpha-client-secret-old",
        ["CallPush:Sources:alpha:Auth:OAuth2:SecondaryClientSecret"] = "alpha-client-secret-new",
        ["CallPush:Sources:beta:SdkAppIds:0"] = BetaApp.ToString(CultureInfo.InvariantCulture),
        ["CallPush:Sources:beta:Auth:OAuth2:ClientId"] = "beta-client",
        ["CallPush:Sources:beta:Auth:OAuth2:ClientSecret"] = "beta-client-secret",
    };

    private static string RecordOf(long sdkAppId, string? sessionId = null) =>
        $$"""{"SdkAppId":{{sdkAppId}},"SessionId":"{{sessionId ?? Samples.NewSessionId()}}","RecordId":"r-1","EndpointUser":"agent@example.com","Timestamp":1608130650}""";

    [Fact]
    public async Task Basic_each_source_writes_its_own_SdkAppIds_and_push_log_names_the_source()
    {
        await using var app = await CallPushApp.StartAsync(postgres, BasicSettings());
        using var alpha = app.ClientWithAuthorization(Basic("alpha-push", "alpha-password-0001"));
        using var betaOld = app.ClientWithAuthorization(Basic("beta-push", "beta-password-old"));
        using var betaNew = app.ClientWithAuthorization(Basic("beta-push-2027", "beta-password-new"));
        using var betaCrossed = app.ClientWithAuthorization(Basic("beta-push", "alpha-password-0001"));

        Assert.Equal(new PushReply(200, 0, "ok"), await alpha.PushAndReadAsync("record", RecordOf(AlphaApp), "src-a-1"));
        Assert.Equal(new PushReply(200, 0, "ok"), await alpha.PushAndReadAsync("record", RecordOf(AlphaApp2), "src-a-2"));
        Assert.Equal(new PushReply(200, 0, "ok"), await betaOld.PushAndReadAsync("record", RecordOf(BetaApp), "src-b-1"));
        Assert.Equal(new PushReply(200, 0, "ok"), await betaNew.PushAndReadAsync("record", RecordOf(BetaApp), "src-b-2"));
        Assert.Equal(4010, (await betaCrossed.PushAndReadAsync("record", RecordOf(BetaApp), "src-b-3")).ErrCode);

        var rows = await app.RowsAsync("SELECT push_uuid, sdk_app_id, source_name, status FROM push_log ORDER BY push_uuid");
        Assert.Equal(
            ["src-a-1 1400000001 alpha accepted", "src-a-2 1400000002 alpha accepted", "src-b-1 1400000011 beta accepted", "src-b-2 1400000011 beta accepted"],
            rows.Select(r => $"{r["push_uuid"]} {r["sdk_app_id"]} {r["source_name"]} {r["status"]}"));
        Assert.Equal(4L, await app.ScalarAsync<long>("SELECT count(*) FROM recordings"));
    }

    [Fact]
    public async Task A_push_of_another_sources_SdkAppId_is_refused_403_and_kept_as_rejected_with_the_source()
    {
        await using var app = await CallPushApp.StartAsync(postgres, BasicSettings());
        using var alpha = app.ClientWithAuthorization(Basic("alpha-push", "alpha-password-0001"));
        using var beta = app.ClientWithAuthorization(Basic("beta-push", "beta-password-old"));
        var session = Samples.NewSessionId();

        using var response = await alpha.PushAsync("record", RecordOf(BetaApp, session), "cross-1");
        var reply = await response.ReadPushReplyAsync();
        var again = await alpha.PushAndReadAsync("record", RecordOf(BetaApp, session), "cross-1");
        var row = Assert.Single(await app.RowsAsync("SELECT * FROM push_log"));
        var owner = await beta.PushAndReadAsync("record", RecordOf(BetaApp, session), "cross-1");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(4030, reply.ErrCode);
        Assert.Equal("SdkAppId 1400000011 is not one of the SdkAppIds of source 'alpha'", reply.ErrMsg);
        Assert.Equal(reply, again);
        Assert.Equal("rejected", row["status"]);
        Assert.Equal(4030, row["error_code"]);
        Assert.Equal(reply.ErrMsg, row["error"]);
        Assert.Equal("alpha", row["source_name"]);
        Assert.Equal("push", row["source"]);
        Assert.Equal(BetaApp, row["sdk_app_id"]);
        Assert.Equal("cross-1", row["push_uuid"]);
        Assert.DoesNotContain("password", (string)row["error"]!, StringComparison.OrdinalIgnoreCase);
        // The refused copy does not take the owner's push id: the owner's real push is stored, not answered as a duplicate.
        Assert.Equal(new PushReply(200, 0, "ok"), owner);
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM recordings WHERE sdk_app_id = $1", BetaApp));
        Assert.Equal("beta", await app.ScalarAsync<string>("SELECT source_name FROM push_log WHERE status = 'accepted'"));
    }

    [Fact]
    public async Task The_global_credentials_write_only_SdkAppIds_no_source_with_credentials_claims()
    {
        var settings = BasicSettings();
        settings["CallPush:Sources:reconcileOnly:SdkAppIds:0"] = "1400000050";
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var global = app.ClientWithAuthorization(Basic("tccc", "global-password-0001"));

        var unclaimed = await global.PushAndReadAsync("record", RecordOf(UnclaimedApp), "global-1");
        var withoutCredentials = await global.PushAndReadAsync("record", RecordOf(1400000050), "global-2");
        var claimed = await global.PushAndReadAsync("record", RecordOf(AlphaApp), "global-3");

        Assert.Equal(new PushReply(200, 0, "ok"), unclaimed);
        Assert.Equal(new PushReply(200, 0, "ok"), withoutCredentials);
        Assert.Equal(403, claimed.Status);
        Assert.Equal(4030, claimed.ErrCode);
        Assert.DoesNotContain("alpha", claimed.ErrMsg, StringComparison.Ordinal);
        Assert.Equal(3L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log WHERE source_name IS NULL"));
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log WHERE error_code = 4030 AND sdk_app_id = $1", AlphaApp));
    }

    [Fact]
    public async Task Without_global_credentials_only_the_sources_push()
    {
        var settings = BasicSettings();
        settings.Remove("CallPush:Auth:Basic:Username");
        settings.Remove("CallPush:Auth:Basic:Password");
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var alpha = app.ClientWithAuthorization(Basic("alpha-push", "alpha-password-0001"));
        using var global = app.ClientWithAuthorization(Basic("tccc", "global-password-0001"));

        Assert.Equal(0, (await alpha.PushAndReadAsync("record", RecordOf(AlphaApp), "only-1")).ErrCode);
        Assert.Equal(4010, (await global.PushAndReadAsync("record", RecordOf(UnclaimedApp), "only-2")).ErrCode);
    }

    [Fact]
    public async Task Sources_without_credentials_leave_the_global_credentials_as_they_were()
    {
        var settings = new Dictionary<string, string?>
        {
            ["CallPush:Auth:Mode"] = "Basic",
            ["CallPush:Auth:Basic:Username"] = "tccc",
            ["CallPush:Auth:Basic:Password"] = "global-password-0001",
            ["CallPush:Sources:main:SdkAppIds:0"] = AlphaApp.ToString(CultureInfo.InvariantCulture),
        };
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var global = app.ClientWithAuthorization(Basic("tccc", "global-password-0001"));

        Assert.Equal(0, (await global.PushAndReadAsync("record", RecordOf(AlphaApp), "legacy-1")).ErrCode);
        Assert.Equal(0, (await global.PushAndReadAsync("record", RecordOf(UnclaimedApp), "legacy-2")).ErrCode);
        Assert.Equal(2L, await app.ScalarAsync<long>("SELECT count(*) FROM push_log WHERE source_name IS NULL AND status = 'accepted'"));
    }

    [Fact]
    public async Task OAuth2_tokens_are_bound_to_the_source_of_their_client()
    {
        await using var app = await CallPushApp.StartAsync(postgres, OAuth2Settings());
        using var alpha = app.CreateClient();
        using var alphaRotated = app.CreateClient();
        using var beta = app.CreateClient();
        using var global = app.CreateClient();
        alpha.DefaultRequestHeaders.Authorization = Bearer(await alpha.TokenAsync("alpha-client", "alpha-client-secret-old"));
        alphaRotated.DefaultRequestHeaders.Authorization = Bearer(await alphaRotated.TokenAsync("alpha-client", "alpha-client-secret-new"));
        beta.DefaultRequestHeaders.Authorization = Bearer(await beta.TokenAsync("beta-client", "beta-client-secret"));
        global.DefaultRequestHeaders.Authorization = Bearer(await global.TokenAsync("tccc", "global-client-secret"));
        using var anonymous = app.CreateClient();
        using var wrong = await anonymous.RequestTokenAsync(Form(("grant_type", "client_credentials")), Basic("alpha-client", "beta-client-secret"));

        var own = await alpha.PushAndReadAsync("record", RecordOf(AlphaApp), "tok-a-1");
        var rotated = await alphaRotated.PushAndReadAsync("record", RecordOf(AlphaApp), "tok-a-2");
        var foreign = await alpha.PushAndReadAsync("record", RecordOf(BetaApp), "tok-a-3");
        var betaOwn = await beta.PushAndReadAsync("record", RecordOf(BetaApp), "tok-b-1");
        var betaForeign = await beta.PushAndReadAsync("record", RecordOf(UnclaimedApp), "tok-b-2");
        var globalUnclaimed = await global.PushAndReadAsync("record", RecordOf(UnclaimedApp), "tok-g-1");
        var globalClaimed = await global.PushAndReadAsync("record", RecordOf(BetaApp), "tok-g-2");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(new PushReply(200, 0, "ok"), own);
        Assert.Equal(new PushReply(200, 0, "ok"), rotated);
        Assert.Equal(new PushReply(403, 4030, "SdkAppId 1400000011 is not one of the SdkAppIds of source 'alpha'"), foreign);
        Assert.Equal(new PushReply(200, 0, "ok"), betaOwn);
        Assert.Equal(4030, betaForeign.ErrCode);
        Assert.Equal(new PushReply(200, 0, "ok"), globalUnclaimed);
        Assert.Equal(4030, globalClaimed.ErrCode);
        var tokens = await app.RowsAsync("SELECT client_id, source_name FROM oauth_access_tokens ORDER BY client_id, source_name");
        Assert.Equal(["alpha-client alpha", "alpha-client alpha", "beta-client beta", "tccc "],
            tokens.Select(t => $"{t["client_id"]} {t["source_name"]}"));
        var pushes = await app.RowsAsync("SELECT push_uuid, status, source_name FROM push_log ORDER BY push_uuid");
        Assert.Equal(
            ["tok-a-1 accepted alpha", "tok-a-2 accepted alpha", "tok-a-3 rejected alpha", "tok-b-1 accepted beta", "tok-b-2 rejected beta",
             "tok-g-1 accepted ", "tok-g-2 rejected "],
            pushes.Select(p => $"{p["push_uuid"]} {p["status"]} {p["source_name"]}"));
    }

    [Fact]
    public async Task A_token_of_a_source_that_no_longer_has_credentials_is_refused()
    {
        await using var first = await CallPushApp.StartAsync(postgres, OAuth2Settings());
        using var issuer = first.CreateClient();
        var token = await issuer.TokenAsync("beta-client", "beta-client-secret");
        var reconfigured = OAuth2Settings();
        foreach (var key in reconfigured.Keys.Where(k => k.StartsWith("CallPush:Sources:beta:", StringComparison.Ordinal)).ToList())
        {
            reconfigured.Remove(key);
        }
        await using var second = new CallPushApp(first.ConnectionString, reconfigured);
        await second.WaitUntilReadyAsync();
        using var client = second.CreateClient();
        client.DefaultRequestHeaders.Authorization = Bearer(token);

        using var response = await client.PushAsync("record", RecordOf(BetaApp), "removed-1");
        var reply = await response.ReadPushReplyAsync();

        Assert.Equal(new PushReply(401, 4010, "authentication failed"), reply);
        Assert.Contains("invalid_token", response.WwwAuthenticate(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parallel_pushes_from_two_sources_are_each_attributed_to_their_source()
    {
        const int perSource = 40;
        var settings = BasicSettings();
        // What is tested is attribution, not speed: a loaded test machine must not turn a push into a 503.
        settings["CallPush:Push:StorageTimeout"] = "00:00:20"; // below the 25 s shutdown timeout, as configuration requires
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var alpha = app.ClientWithAuthorization(Basic("alpha-push", "alpha-password-0001"));
        using var beta = app.ClientWithAuthorization(Basic("beta-push-2027", "beta-password-new"));

        var pushes = Enumerable.Range(0, perSource).SelectMany(i => new[]
        {
            alpha.PushAndReadAsync("record", RecordOf(i % 2 == 0 ? AlphaApp : AlphaApp2), $"par-alpha-{i}"),
            beta.PushAndReadAsync("record", RecordOf(BetaApp), $"par-beta-{i}"),
            // Every fifth push of each source names the other's SdkAppId.
            i % 5 == 0 ? alpha.PushAndReadAsync("record", RecordOf(BetaApp), $"par-alpha-x-{i}") : null,
            i % 5 == 0 ? beta.PushAndReadAsync("record", RecordOf(AlphaApp), $"par-beta-x-{i}") : null,
        }).OfType<Task<PushReply>>().ToList();
        var replies = await Task.WhenAll(pushes);

        Assert.Equal([$"0 {2 * perSource}", $"4030 {2 * perSource / 5}"],
            replies.GroupBy(r => r.ErrCode).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}{(g.Key is 0 or 4030 ? "" : ": " + g.First().ErrMsg)}"));
        var rows = await app.RowsAsync("""
            SELECT source_name, status, count(*) AS n, bool_and(push_uuid LIKE 'par-' || source_name || '-%') AS own_uuids,
                   array_agg(DISTINCT sdk_app_id ORDER BY sdk_app_id) AS apps
            FROM push_log GROUP BY source_name, status ORDER BY source_name, status
            """);
        Assert.Equal(
            [
                $"alpha accepted {perSource} True {AlphaApp},{AlphaApp2}",
                $"alpha rejected {perSource / 5} True {BetaApp}",
                $"beta accepted {perSource} True {BetaApp}",
                $"beta rejected {perSource / 5} True {AlphaApp}",
            ],
            rows.Select(r => $"{r["source_name"]} {r["status"]} {r["n"]} {r["own_uuids"]} {string.Join(',', (long[])r["apps"]!)}"));
    }

    [Theory]
    [InlineData("Basic", "Sources:alpha:SdkAppIds:0=1;Sources:beta:SdkAppIds:0=2;Sources:beta:SdkAppIds:1=1", "CallPush__Sources__beta__SdkAppIds__1")]
    [InlineData("Basic", "Sources:alpha:SdkAppIds:0=1;Sources:alpha:Auth:Basic:Username=same;Sources:alpha:Auth:Basic:Password=secret-value-1;"
        + "Sources:beta:SdkAppIds:0=2;Sources:beta:Auth:Basic:Username=same;Sources:beta:Auth:Basic:Password=secret-value-2", "CallPush__Sources__beta__Auth__Basic__Username")]
    [InlineData("Basic", "Auth:Basic:Username=tccc;Auth:Basic:Password=secret-value-1;"
        + "Sources:alpha:SdkAppIds:0=1;Sources:alpha:Auth:Basic:Username=tccc;Sources:alpha:Auth:Basic:Password=secret-value-2", "CallPush__Sources__alpha__Auth__Basic__Username")]
    [InlineData("Basic", "Sources:alpha:SdkAppIds:0=1;Sources:alpha:Auth:Basic:Username=a;Sources:alpha:Auth:Basic:Password=secret-value-1;"
        + "Sources:beta:SdkAppIds:0=2;Sources:beta:Auth:Basic:Username=b;Sources:beta:Auth:Basic:Password=secret-value-2;Sources:beta:Auth:Basic:SecondaryUsername=a;"
        + "Sources:beta:Auth:Basic:SecondaryPassword=secret-value-3", "CallPush__Sources__beta__Auth__Basic__SecondaryUsername")]
    [InlineData("OAuth2", "Auth:OAuth2:ClientId=tccc;Auth:OAuth2:ClientSecret=secret-value-1;"
        + "Sources:alpha:SdkAppIds:0=1;Sources:alpha:Auth:OAuth2:ClientId=tccc;Sources:alpha:Auth:OAuth2:ClientSecret=secret-value-2", "CallPush__Sources__alpha__Auth__OAuth2__ClientId")]
    [InlineData("Basic", "Sources:alpha:SdkAppIds:0=1;Sources:alpha:Auth:Basic:Username=a", "CallPush__Sources__alpha__Auth__Basic__Password")]
    [InlineData("Basic", "Sources:alpha:SdkAppIds:0=1;Sources:alpha:Auth:Basic:Password=secret-value-1", "CallPush__Sources__alpha__Auth__Basic__Username")]
    [InlineData("OAuth2", "Sources:alpha:SdkAppIds:0=1;Sources:alpha:Auth:OAuth2:ClientId=a", "CallPush__Sources__alpha__Auth__OAuth2__ClientSecret")]
    [InlineData("OAuth2", "Sources:alpha:SdkAppIds:0=1;Sources:alpha:Auth:OAuth2:ClientId=a;Sources:alpha:Auth:OAuth2:ClientSecret=pbkdf2-sha256$1$x$y",
        "CallPush__Sources__alpha__Auth__OAuth2__ClientSecret")]
    [InlineData("Basic", "Auth:Basic:Username=tccc;Auth:Basic:Password=secret-value-1;"
        + "Sources:alpha:SdkAppIds:0=1;Sources:alpha:Auth:OAuth2:ClientId=a;Sources:alpha:Auth:OAuth2:ClientSecret=secret-value-2", "CallPush__Sources__alpha__Auth")]
    [InlineData("None", "Sources:alpha:SdkAppIds:0=1;Sources:alpha:Auth:Basic:Username=a;Sources:alpha:Auth:Basic:Password=secret-value-1", "CallPush__Sources__alpha__Auth")]
    [InlineData("Basic", "Sources:alpha:SdkAppIds:0=1", "CallPush__Auth__Basic__Username")]
    public async Task Ambiguous_or_half_set_source_credentials_stop_start_up_naming_the_key_not_the_value(string mode, string extra, string key)
    {
        var settings = new Dictionary<string, string?> { ["CallPush:Auth:Mode"] = mode };
        foreach (var pair in extra.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            settings["CallPush:" + pair[..equals]] = pair[(equals + 1)..];
        }
        await using var app = new CallPushApp(await postgres.CreateDatabaseAsync(), settings);

        var error = Record.Exception(() => app.CreateClient());

        Assert.NotNull(error);
        var text = error.ToString();
        Assert.Contains(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", text, StringComparison.Ordinal);
    }
}
