using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CallPush.Tests.Infrastructure;

/// <summary>One request the fake received.</summary>
public sealed record ReceivedRequest(string Path, string Query, string? PushUuid, string? Authorization, string? ContentType, string Body);

/// <summary>
/// A tiny HTTP server on 127.0.0.1 with routes given by the test: a push receiver that answers the way the test
/// needs (to check the sender's behaviour), and where needed an OAuth 2.0 token endpoint.
/// </summary>
public sealed class FakeReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public Uri PushUrl => new(BaseAddress, "/push");

    public static async Task<FakeReceiver> StartAsync(Action<WebApplication, FakeReceiver> map)
    {
        var app = LoopbackServer.Create();
        var receiver = new FakeReceiver(app);
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync();
            context.Request.Body.Position = 0;
            receiver.Requests.Enqueue(new ReceivedRequest(context.Request.Path, context.Request.QueryString.Value ?? string.Empty,
                context.Request.Headers["X-TCCC-PUSH-UUID"].FirstOrDefault(), context.Request.Headers.Authorization.FirstOrDefault(),
                context.Request.ContentType, body));
            await next(context);
        });
        map(app, receiver);
        await app.StartAsync();
        receiver.BaseAddress = LoopbackServer.AddressOf(app);
        return receiver;
    }

    public static IResult Answer(int errCode, string errMsg = "", int statusCode = 200) =>
        Results.Json(new Dictionary<string, object> { ["ErrCode"] = errCode, ["ErrMsg"] = errMsg }, statusCode: statusCode);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
