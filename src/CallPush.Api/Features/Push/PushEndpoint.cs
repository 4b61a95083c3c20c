using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using CallPush.Api.Answers;
using CallPush.Api.Diagnostics;
using CallPush.Api.Features.Auth;
using CallPush.Api.Hosting;
using FastEndpoints;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Push;

/// <summary>POST /push?action=cdr|record|voicemail: the address registered in the platform's console.</summary>
internal sealed class PushEndpoint(PushIngestion ingestion, CallPushMetrics metrics, IOptions<PushOptions> options, PushAuthScheme authScheme)
    : Endpoint<PushRequest, ErrCodeAnswer>
{
    public const string Path = "/push";

    private static readonly string[] KeptHeaders =
        [PushRequest.PushUuidHeader, "Content-Type", "Content-Length", "Content-Encoding", "User-Agent", "X-Forwarded-For", "X-Forwarded-Proto", "X-Real-IP", "X-Request-Id", "traceparent"];

    public override void Configure()
    {
        Post(Path);
        if (authScheme.Name is { } scheme)
        {
            AuthSchemes(scheme);
        }
        else
        {
            AllowAnonymous();
        }
        RequestBinder(new PushRequestBinder());
        Options(b => b.RequireRateLimiting(ClientRateLimiting.PolicyName));
        Description(b => b
            .WithName("Push")
            .ClearDefaultProduces()
            .Produces<ErrCodeAnswer>(StatusCodes.Status200OK)
            .Produces<ErrCodeAnswer>(StatusCodes.Status400BadRequest)
            .Produces<ErrCodeAnswer>(StatusCodes.Status401Unauthorized)
            .Produces<ErrCodeAnswer>(StatusCodes.Status403Forbidden)
            .Produces<ErrCodeAnswer>(StatusCodes.Status413PayloadTooLarge)
            .Produces<ErrCodeAnswer>(StatusCodes.Status429TooManyRequests)
            .Produces<ErrCodeAnswer>(StatusCodes.Status500InternalServerError)
            .Produces<ErrCodeAnswer>(StatusCodes.Status503ServiceUnavailable));
        Summary(s =>
        {
            s.Summary = "Receives a CDR, recording or voicemail push from the contact-center platform.";
            s.Description = "The body is the platform's JSON push, stored exactly once per X-TCCC-PUSH-UUID. Only ErrCode 0 stops "
                + "the platform from pushing again; every other answer is a reason to push the same again later.";
            s.Responses[StatusCodes.Status200OK] = "ErrCode 0: stored (ErrMsg ok) or already stored (ErrMsg duplicate).";
            s.Responses[StatusCodes.Status400BadRequest] = "ErrCode 4001 action missing, 4002 action unknown, 4003 body empty or not JSON, "
                + "4004 body not an object, 4005 a required field (SdkAppId, SessionId) missing, 4006 a value PostgreSQL refused. Kept in push_log as rejected.";
            s.Responses[StatusCodes.Status401Unauthorized] = "ErrCode 4010: authentication failed (WWW-Authenticate says how to authenticate). The body is not read.";
            s.Responses[StatusCodes.Status403Forbidden] = "ErrCode 4030: the credentials belong to a source whose SdkAppIds do not include the body's SdkAppId "
                + "(or, when sources have their own credentials, the global credentials pushed one of theirs). Kept in push_log as rejected.";
            s.Responses[StatusCodes.Status413PayloadTooLarge] = "ErrCode 4130: the body is larger than CallPush__Push__MaxBodyBytes.";
            s.Responses[StatusCodes.Status429TooManyRequests] = "ErrCode 4290: too many failed authentications or pushes from this address (Retry-After).";
            s.Responses[StatusCodes.Status500InternalServerError] = "ErrCode 5000: unexpected error.";
            s.Responses[StatusCodes.Status503ServiceUnavailable] = "ErrCode 5030: the database is unavailable, or too many pushes are waiting to be stored; 5031: credentials cannot be checked right now (Retry-After).";
            s.ResponseExamples[StatusCodes.Status200OK] = new ErrCodeAnswer(ErrCodes.Ok, "ok");
            s.ResponseExamples[StatusCodes.Status400BadRequest] = new ErrCodeAnswer(ErrCodes.MissingField, "SessionId is missing or empty");
            s.ResponseExamples[StatusCodes.Status401Unauthorized] = new ErrCodeAnswer(ErrCodes.Unauthorized, "authentication failed");
            s.ResponseExamples[StatusCodes.Status503ServiceUnavailable] = new ErrCodeAnswer(ErrCodes.StorageUnavailable, "storage is unavailable; push again later");
        });
    }

    public override async Task HandleAsync(PushRequest request, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var actionTag = PushTags.Action(request.Action);
        using var activity = CallPushTracing.StartPush(actionTag, request.Version);

        PushResult result;
        try
        {
            var limit = options.Value.MaxBodyBytes;
            var body = await RequestBody.ReadAsync(HttpContext, limit, ct);
            if (body is null)
            {
                result = new PushResult(new ErrCodeAnswer(ErrCodes.BodyTooLarge, $"body is larger than {limit} bytes"));
            }
            else
            {
                metrics.BodyRead(actionTag, body.Length);
                result = await ingestion.IngestAsync(new ReceivedPush(request.Action, request.Version, request.PushUuid, body, HeadersJson(HttpContext))
                {
                    SourceName = PushIdentity.SourceOf(User),
                });
            }
        }
        catch
        {
            // Answered by the error handler (or not at all, when the sender went away): still a push that was not stored.
            CallPushTracing.CompletePush(activity, PushOutcome.Failed, duplicate: false, ErrCodes.InternalError, null, null);
            metrics.PushAnswered(actionTag, PushOutcome.Failed, duplicate: false, Stopwatch.GetElapsedTime(started));
            throw;
        }

        var outcome = PushTags.Outcome(result.Answer.ErrCode, result.Duplicate);
        CallPushTracing.CompletePush(activity, outcome, result.Duplicate, result.Answer.ErrCode, result.SdkAppId, result.SessionId);
        metrics.PushAnswered(actionTag, outcome, result.Duplicate, Stopwatch.GetElapsedTime(started));
        if (result.RetryAfter is { } retryAfter)
        {
            HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        await result.Answer.WriteAsync(HttpContext.Response, CancellationToken.None);
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
                    writer.WriteString(name, PushText.Storable(value.ToString()));
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
