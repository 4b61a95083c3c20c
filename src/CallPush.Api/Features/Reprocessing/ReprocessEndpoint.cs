using System.Text.Json;
using System.Text.Json.Serialization;
using CallPush.Api.Answers;
using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Features.Reconciliation;
using FastEndpoints;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Reprocessing;

public sealed record ReprocessRequest(
    [property: JsonPropertyName("from")] string? From,
    [property: JsonPropertyName("to")] string? To,
    [property: JsonPropertyName("action")] string? Action,
    [property: JsonPropertyName("status")] string? Status);

/// <summary>POST /reprocessing: the reprocess command for analysts, on a window of at most a day, answered when done.</summary>
internal sealed class ReprocessEndpoint(PushReprocessor reprocessor, IOptions<SourcesOptions> sources) : EndpointWithoutRequest
{
    public const string Path = "/reprocessing";

    /// <summary>The run is answered synchronously, so the window is kept to what finishes within an HTTP request.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromHours(24);

    public override void Configure()
    {
        Post(Path);
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b
            .WithName("Reprocess")
            .Accepts<ReprocessRequest>("application/json")
            .ClearDefaultProduces()
            .Produces<ReprocessSummary>(StatusCodes.Status200OK, "application/json")
            .Produces<ApiError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status403Forbidden, "application/json"));
        Summary(s =>
        {
            s.Summary = "Runs the stored pushes of a window through today's parser again.";
            s.Description = "Body: {\"from\": time, \"to\": time, \"action\": \"cdr|record|voicemail\" (optional), \"status\": "
                + "\"rejected|accepted\" (optional)}, times in ISO 8601. Pushes received in [from, to) are parsed again: a rejected "
                + "push that is accepted now becomes accepted and is normalized; a session only takes a CDR newer than the one it has. "
                + "The window is at most 24 hours and the answer comes when the run is done; the reprocess command takes longer "
                + "windows. Running the same window again changes nothing.";
            s.Responses[StatusCodes.Status200OK] = "The run is done; what it saw and changed.";
            s.Responses[StatusCodes.Status400BadRequest] = "The body is not JSON, a time is missing or invalid, from is not before to, "
                + "the window is longer than 24 hours, or action or status is unknown.";
            s.Responses[StatusCodes.Status401Unauthorized] = "The API key is missing, wrong or revoked.";
            s.Responses[StatusCodes.Status403Forbidden] = "The API key is limited to some sources: reprocessing spans every instance's pushes.";
            s.ResponseExamples[StatusCodes.Status200OK] = new ReprocessSummary { Seen = 12, NowAccepted = 3, StillRejected = 1, ChangedSessions = 2 };
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        if (AnalystScope.Of(User, sources.Value).Limited)
        {
            await new ApiError("this API key is limited to some sources; reprocessing needs a key that is not")
                .WriteAsync(HttpContext.Response, StatusCodes.Status403Forbidden, ct);
            return;
        }
        ReprocessRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<ReprocessRequest>(HttpContext.Request.Body, cancellationToken: ct);
        }
        catch (JsonException)
        {
            request = null;
        }
        if (request is null)
        {
            await new ApiError("the body must be JSON with from and to").WriteAsync(HttpContext.Response, StatusCodes.Status400BadRequest, ct);
            return;
        }
        var window = ReprocessWindow.Of(request.From, request.To, request.Action, request.Status, out var problem);
        if (window is null || window.To - window.From > MaxWindow)
        {
            problem ??= "the window is longer than 24 hours: use the reprocess command for longer ones";
            await new ApiError(problem).WriteAsync(HttpContext.Response, StatusCodes.Status400BadRequest, ct);
            return;
        }
        var summary = await reprocessor.RunAsync(window, progress: null, ct);
        await HttpContext.Response.WriteAsJsonAsync(summary, ct);
    }
}
