using System.Collections.Concurrent;
using CallPush.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CallPush.Tests.Recordings;

/// <summary>
/// A recording store on real Kestrel (127.0.0.1): serves MP3 bytes per path, misbehaves on request, and counts the
/// requests each path got.
/// </summary>
public sealed class RecordingSource : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, int, Task>> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Path, DateTime At)> _times = new();

    private RecordingSource()
    {
        _app = LoopbackServer.Create();
        _app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "/";
            var number = _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
            _times.Enqueue((path, DateTime.UtcNow));
            if (_handlers.TryGetValue(path, out var handler))
            {
                await handler(context, number);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
        });
    }

    public Uri BaseAddress { get; private set; } = null!;
    public int Port => BaseAddress.Port;

    public static async Task<RecordingSource> StartAsync()
    {
        var source = new RecordingSource();
        await source._app.StartAsync();
        source.BaseAddress = LoopbackServer.AddressOf(source._app);
        return source;
    }

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public int Requests(string path) => _requests.GetValueOrDefault(path);

    /// <summary>When each request for the path arrived, in order.</summary>
    public IReadOnlyList<DateTime> RequestTimes(string path) => [.. _times.Where(t => t.Path == path).Select(t => t.At)];

    public void Handle(string path, Func<HttpContext, int, Task> handler) => _handlers[path] = handler;

    public void Serve(string path, byte[] bytes, string contentType = "audio/mpeg") =>
        Handle(path, (context, _) => WriteAsync(context, bytes, contentType));

    /// <summary>Answers <paramref name="status"/> to the first <paramref name="times"/> requests, then the bytes.</summary>
    public void FailThenServe(string path, int status, int times, byte[] bytes, string? retryAfter = null) =>
        Handle(path, (context, number) =>
        {
            if (number <= times)
            {
                context.Response.StatusCode = status;
                if (retryAfter is not null)
                {
                    context.Response.Headers.RetryAfter = retryAfter;
                }
                return Task.CompletedTask;
            }
            return WriteAsync(context, bytes, "audio/mpeg");
        });

    /// <summary>Sends the bytes in <paramref name="chunks"/> pieces, <paramref name="pause"/> apart.</summary>
    public void Trickle(string path, byte[] bytes, int chunks, TimeSpan pause, Action? afterFirstChunk = null) =>
        Handle(path, async (context, _) =>
        {
            context.Response.ContentType = "audio/mpeg";
            context.Response.ContentLength = bytes.Length;
            var size = (bytes.Length + chunks - 1) / chunks;
            for (var offset = 0; offset < bytes.Length; offset += size)
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                if (offset == 0)
                {
                    afterFirstChunk?.Invoke();
                }
                await Task.Delay(pause, context.RequestAborted);
            }
        });

    /// <summary>Declares the whole length, sends half of the bytes, then drops the connection.</summary>
    public static async Task DropMidBodyAsync(HttpContext context, byte[] bytes)
    {
        context.Response.ContentType = "audio/mpeg";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
        await context.Response.Body.FlushAsync();
        context.Abort();
    }

    /// <summary>Declares more bytes than it sends and ends the response (Kestrel then closes the connection).</summary>
    public static async Task ShortBodyAsync(HttpContext context, byte[] bytes)
    {
        context.Response.ContentType = "audio/mpeg";
        context.Response.ContentLength = bytes.Length + 1000;
        await context.Response.Body.WriteAsync(bytes);
    }

    public static async Task WriteAsync(HttpContext context, byte[] bytes, string contentType)
    {
        context.Response.ContentType = contentType;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
