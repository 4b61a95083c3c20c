using System.Net;
using System.Text;
using CallPush.Simulator.Sending;
using CallPush.Simulator.Sessions;
using CallPush.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CallPush.Tests.Simulator;

/// <summary>The sender's retry and authentication behaviour, against a small receiver speaking the push protocol.</summary>
public sealed class PushClientTests
{
    private static readonly SessionGenerator Generator = new(new SessionGeneratorOptions(), new Random(7), TimeProvider.System);

    private static PushClient Client(HttpClient http, FakeReceiver receiver, PushAuthentication? auth = null, TimeSpan? timeout = null) =>
        new(http, new PushClientOptions(receiver.PushUrl) { RetryDelay = TimeSpan.Zero, Timeout = timeout ?? TimeSpan.FromSeconds(5) },
            auth ?? PushAuthentication.None);

    [Fact]
    public async Task A_push_answered_ErrCode_5030_twice_then_0_is_delivered_3_times_with_the_same_uuid()
    {
        var answers = 0;
        await using var receiver = await FakeReceiver.StartAsync((app, _) => app.MapPost("/push", () =>
            Interlocked.Increment(ref answers) <= 2 ? FakeReceiver.Answer(5030, "storage is unavailable") : FakeReceiver.Answer(0, "ok")));
        using var http = new HttpClient();
        var push = Generator.Next().Pushes()[0];

        var delivery = await Client(http, receiver).SendAsync(push);

        Assert.True(delivery.Acknowledged);
        Assert.Equal(new int?[] { 5030, 5030, 0 }, delivery.Attempts.Select(a => a.ErrCode));
        var requests = receiver.Requests.ToList();
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal(push.Uuid, r.PushUuid);
            Assert.Equal("?action=cdr&version=1", r.Query);
            Assert.Equal("application/json; charset=utf8", r.ContentType);
            Assert.Equal(push.BodyText, r.Body);
        });
    }

    [Fact]
    public async Task A_push_never_answered_ErrCode_0_is_pushed_again_at_most_3_times()
    {
        await using var receiver = await FakeReceiver.StartAsync((app, _) =>
            app.MapPost("/push", () => Results.Text("<html>bad gateway</html>", "text/html", statusCode: 502)));
        using var http = new HttpClient();

        var delivery = await Client(http, receiver).SendAsync(Generator.Next().Pushes()[0]);

        Assert.False(delivery.Acknowledged);
        Assert.Equal(4, delivery.Attempts.Count);
        Assert.All(delivery.Attempts, a => Assert.Equal("HTTP 502 without ErrCode", a.Outcome));
        Assert.Single(receiver.Requests.Select(r => r.PushUuid).Distinct());
    }

    [Fact]
    public async Task A_timed_out_delivery_is_pushed_again()
    {
        var answers = 0;
        await using var receiver = await FakeReceiver.StartAsync((app, _) => app.MapPost("/push", async (HttpContext context) =>
        {
            if (Interlocked.Increment(ref answers) == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            return FakeReceiver.Answer(0, "ok");
        }));
        using var http = new HttpClient();

        var delivery = await Client(http, receiver, timeout: TimeSpan.FromSeconds(1)).SendAsync(Generator.Next().Pushes()[0]);

        Assert.True(delivery.Acknowledged);
        Assert.Equal(new[] { "timeout", "0" }, delivery.Attempts.Select(a => a.Outcome));
    }

    [Fact]
    public async Task Basic_authentication_sends_the_account_and_password()
    {
        await using var receiver = await FakeReceiver.StartAsync((app, _) => app.MapPost("/push", () => FakeReceiver.Answer(0)));
        using var http = new HttpClient();

        await Client(http, receiver, new BasicAuthentication("tccc", "pa:ss word")).SendAsync(Generator.Next().Pushes()[0]);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("tccc:pa:ss word")), request.Authorization);
    }

    [Fact]
    public async Task OAuth2_token_is_fetched_once_reused_and_renewed_on_expiry_and_on_401()
    {
        var issued = 0;
        var revoked = new HashSet<string>();
        await using var receiver = await FakeReceiver.StartAsync((app, _) =>
        {
            app.MapPost("/oauth/token", (HttpContext context) =>
            {
                var form = context.Request.Form;
                if (form["grant_type"] != "client_credentials" || ClientOf(context.Request) != ("client 1", "s:cret+1"))
                {
                    return Results.Json(new { error = "invalid_client" }, statusCode: 401);
                }
                return Results.Json(new { access_token = $"token-{Interlocked.Increment(ref issued)}", token_type = "Bearer", expires_in = 3600 });
            });
            app.MapPost("/push", (HttpContext context) =>
            {
                var token = context.Request.Headers.Authorization.ToString();
                lock (revoked)
                {
                    return token.StartsWith("Bearer ", StringComparison.Ordinal) && !revoked.Contains(token[7..])
                        ? FakeReceiver.Answer(0)
                        : FakeReceiver.Answer(4010, "unauthorized", 401);
                }
            });
        });
        using var http = new HttpClient();
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var auth = new ClientCredentialsAuthentication(http, new Uri(receiver.BaseAddress, "/oauth/token"), "client 1", "s:cret+1", null, time);
        var client = Client(http, receiver, auth);

        var first = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.SendAsync(Generator.Next().Pushes()[0])));
        Assert.All(first, o => Assert.True(o.Acknowledged));
        Assert.Equal(1, auth.TokensFetched);

        time.Advance(TimeSpan.FromMinutes(59.8));
        Assert.True((await client.SendAsync(Generator.Next().Pushes()[0])).Acknowledged);
        Assert.Equal(2, auth.TokensFetched);

        lock (revoked)
        {
            revoked.Add("token-2");
        }
        var afterRevocation = await client.SendAsync(Generator.Next().Pushes()[0]);
        Assert.Equal(new int?[] { 4010, 0 }, afterRevocation.Attempts.Select(a => a.ErrCode));
        Assert.Equal(3, auth.TokensFetched);
        Assert.Equal("Bearer token-3", receiver.Requests.Last().Authorization);
    }

    [Fact]
    public async Task A_refused_token_request_fails_the_push_with_the_token_endpoints_error_and_description()
    {
        await using var receiver = await FakeReceiver.StartAsync((app, _) =>
        {
            app.MapPost("/oauth/token", () => Results.Json(new { error = "invalid_client", error_description = "unknown client" }, statusCode: 401));
            app.MapPost("/push", () => FakeReceiver.Answer(0));
        });
        using var http = new HttpClient();
        var auth = new ClientCredentialsAuthentication(http, new Uri(receiver.BaseAddress, "/oauth/token"), "client 1", "wrong", null, TimeProvider.System);

        var delivery = await Client(http, receiver, auth).SendAsync(Generator.Next().Pushes()[0]);

        Assert.False(delivery.Acknowledged);
        Assert.Equal(4, delivery.Attempts.Count);
        Assert.All(delivery.Attempts, a =>
        {
            Assert.Equal("token request failed", a.Outcome);
            Assert.Contains("(HTTP 401, invalid_client: unknown client)", a.ErrMsg, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(receiver.Requests, r => r.Path == "/push");
    }

    /// <summary>The client id and secret as an RFC 6749 section 2.3.1 server reads them: both form-urldecoded after base64.</summary>
    private static (string Id, string Secret)? ClientOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }
        var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : (WebUtility.UrlDecode(pair[..colon]), WebUtility.UrlDecode(pair[(colon + 1)..]));
    }
}
