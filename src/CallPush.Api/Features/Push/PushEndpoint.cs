using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using CallPush.Api.Diagnostics;
using CallPush.Api.Features.Auth;
using CallPush.Api.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Push;

/// <summary>POST /push?action=cdr|record|voicemail: the address registered in the platform's console.</summary>
internal static class PushEndpoint
{
    public const string Path = "/push";
    public const string PushUuidHeader = "X-TCCC-PUSH-UUID";

    private static readonly string[] KeptHeaders =
        [PushUuidHeader, "Content-Type", "Content-Length", "Content-Encoding", "User-Agent", "X-Forwarded-For", "X-Forwarded-Proto", "X-Real-IP", "X-Request-Id", "traceparent"];

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(Path, HandleAsync)
            .WithName("Push")
            .WithSummary("Receives a CDR, recording or voicemail push from the contact-center platform.")
            .Produces<PushAnswer>(StatusCodes.Status200OK)
            .Produces<PushAnswer>(StatusCodes.Status400BadRequest)
            .Produces<PushAnswer>(StatusCodes.Status413PayloadTooLarge)
            .Produces<PushAnswer>(StatusCodes.Status429TooManyRequests)
            .Produces<PushAnswer>(StatusCodes.Status503ServiceUnavailable)
            .RequireRateLimiting(ClientRateLimiting.PolicyName)
            .DisableAntiforgery()
            .RequirePushAuthentication();
        app.MapMethods(Path, [HttpMethods.Get, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete], () =>
                Answer(new PushAnswer(PushErrors.MethodNotAllowed, "pushes are sent with POST")))
            .ExcludeFromDescription();
    }

    private static async Task<JsonHttpResult<PushAnswer>> HandleAsync(
        HttpContext context, PushIngestion ingestion, CallPushMetrics metrics, IOptions<PushOptions> options)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var action = request.Query["action"].ToString();
        var version = request.Query["version"].FirstOrDefault();
        var actionTag = PushActions.TelemetryName(action);
        using var activity = CallPushTracing.StartPush(actionTag, version);

        PushResult result;
        try
        {
            var limit = options.Value.MaxBodyBytes;
            var body = await ReadBodyAsync(context, limit);
            if (body is null)
            {
                result = new PushResult(new PushAnswer(PushErrors.BodyTooLarge, $"body is larger than {limit} bytes"));
            }
            else
            {
                metrics.BodyRead(actionTag, body.Length);
                var pushUuid = request.Headers[PushUuidHeader].ToString().Trim();
                result = await ingestion.IngestAsync(new PushRequest(
                    action,
                    version,
                    pushUuid.Length > 0 ? pushUuid : null,
                    body,
                    HeadersJson(context)));
            }
        }
        catch
        {
            // Answered by the error handler (or not at all, when the sender went away): still a push that was not stored.
            CallPushTracing.CompletePush(activity, PushOutcome.Failed, duplicate: false, PushErrors.InternalError, null, null);
            metrics.PushAnswered(actionTag, PushOutcome.Failed, duplicate: false, Stopwatch.GetElapsedTime(started));
            throw;
        }

        var outcome = Outcome(result.Answer.ErrCode, result.Duplicate);
        CallPushTracing.CompletePush(activity, outcome, result.Duplicate, result.Answer.ErrCode, result.SdkAppId, result.SessionId);
        metrics.PushAnswered(actionTag, outcome, result.Duplicate, Stopwatch.GetElapsedTime(started));
        return Answer(result.Answer);
    }

    public static PushOutcome Outcome(int errCode, bool duplicate) => errCode switch
    {
        PushErrors.Ok => duplicate ? PushOutcome.Duplicate : PushOutcome.Stored,
        PushErrors.Unauthorized => PushOutcome.Unauthorized,
        >= PushErrors.InternalError => PushOutcome.Failed,
        _ => PushOutcome.Rejected,
    };

    public static JsonHttpResult<PushAnswer> Answer(PushAnswer answer) =>
        TypedResults.Json(answer, statusCode: PushErrors.HttpStatus(answer.ErrCode));

    /// <summary>The whole body, or null when it is over the limit (which is then not read any further).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, int limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return null;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(context.Request.ContentLength ?? 4096, limit) + 1);
        try
        {
            while (true)
            {
                var read = await context.Request.Body.ReadAsync(buffer.GetMemory(4096), context.RequestAborted);
                if (read == 0)
                {
                    return buffer.WrittenSpan.ToArray();
                }
                buffer.Advance(read);
                if (buffer.WrittenCount > limit)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }

    private static string HeadersJson(HttpContext context)
    {
        var output = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            foreach (var name in KeptHeaders)
            {
                if (context.Request.Headers.TryGetValue(name, out var value) && value.Count > 0)
                {
                    writer.WriteString(name, value.ToString());
                }
            }
            if (context.Connection.RemoteIpAddress is { } remote)
            {
                writer.WriteString("RemoteAddress", remote.ToString());
            }
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
