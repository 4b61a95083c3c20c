using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CallPush.Tests.Infrastructure;

/// <summary>
/// A minimal OAuth 2.0 authorization server on 127.0.0.1 over real HTTP: client credentials at /token and
/// RFC 7662 introspection at /introspect (protected by HTTP Basic), standing in for an integrator's identity provider.
/// </summary>
public sealed class FakeAuthorizationServer : IAsyncDisposable
{
    public const string IntrospectorId = "callpush-introspector";
    public const string IntrospectorSecret = "introspector-secret";

    private readonly ConcurrentDictionary<string, (string ClientId, DateTimeOffset Expiry)> _tokens = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private int _introspections;

    public Uri BaseAddress { get; private set; } = null!;
    public Uri IntrospectionEndpoint => new(BaseAddress, "/introspect");
    public int Introspections => Volatile.Read(ref _introspections);

    /// <summary>While set, every endpoint answers 503, as an identity provider in an outage does.</summary>
    public bool Failing { get; set; }

    public static async Task<FakeAuthorizationServer> StartAsync()
    {
        var server = new FakeAuthorizationServer();
        var app = LoopbackServer.Create();
        app.MapPost("/token", (Delegate)server.Token);
        app.MapPost("/introspect", (Delegate)server.Introspect);
        await app.StartAsync();
        server._app = app;
        server.BaseAddress = LoopbackServer.AddressOf(app);
        return server;
    }

    /// <summary>A token as the server would issue it to a client; also reachable at /token.</summary>
    public string Issue(string clientId, TimeSpan lifetime)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _tokens[token] = (clientId, DateTimeOffset.UtcNow + lifetime);
        return token;
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
        }
    }

    private async Task<IResult> Token(HttpContext context)
    {
        if (Failing)
        {
            return Results.StatusCode(503);
        }
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "client_credentials" || string.IsNullOrEmpty(form["client_id"]))
        {
            return Results.Json(new { error = "invalid_request" }, statusCode: 400);
        }
        return Results.Json(new { access_token = Issue(form["client_id"]!, TimeSpan.FromHours(1)), token_type = "Bearer", expires_in = 3600 });
    }

    private async Task<IResult> Introspect(HttpContext context)
    {
        Interlocked.Increment(ref _introspections);
        if (Failing)
        {
            return Results.StatusCode(503);
        }
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{IntrospectorId}:{IntrospectorSecret}"));
        if (context.Request.Headers.Authorization != expected)
        {
            context.Response.Headers.WWWAuthenticate = "Basic";
            return Results.Json(new { error = "invalid_client" }, statusCode: (int)HttpStatusCode.Unauthorized);
        }
        var form = await context.Request.ReadFormAsync();
        var token = form["token"].ToString();
        if (!_tokens.TryGetValue(token, out var issued) || issued.Expiry <= DateTimeOffset.UtcNow)
        {
            return Results.Json(new { active = false });
        }
        return Results.Json(new { active = true, client_id = issued.ClientId, token_type = "Bearer", exp = issued.Expiry.ToUnixTimeSeconds() });
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
