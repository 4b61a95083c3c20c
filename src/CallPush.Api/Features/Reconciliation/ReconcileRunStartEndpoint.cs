using System.Text.Json;
using CallPush.Api.Answers;
using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Persistence;
using FastEndpoints;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Reconciliation;

/// <summary>POST /reconciliation/runs: reconciles one source's window now, in the background.</summary>
internal sealed class ReconcileRunStartEndpoint(ReconciliationRunner runner, ReconciliationScheduler scheduler, IOptions<SourcesOptions> sources)
    : EndpointWithoutRequest
{
    public override void Configure()
    {
        Post(ReconcileRunListEndpoint.Path);
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b
            .WithName("StartReconcileRun")
            .Accepts<ReconcileRunRequest>("application/json")
            .ClearDefaultProduces()
            .Produces<ReconcileRunItem>(StatusCodes.Status202Accepted, "application/json")
            .Produces<ApiError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status403Forbidden, "application/json")
            .Produces<ApiError>(StatusCodes.Status409Conflict, "application/json"));
        Summary(s =>
        {
            s.Summary = "Starts a reconciliation of one source's window.";
            s.Description = "Body: {\"source\": name, \"from\": time, \"to\": time} (ISO 8601). The window must be shorter than 90 days and "
                + "lie within the last 180 days, as DescribeTelCdr requires. The run goes on in the background: follow it with GET "
                + "/reconciliation/runs.";
            s.Responses[StatusCodes.Status202Accepted] = "The run started; its row as it stands.";
            s.Responses[StatusCodes.Status400BadRequest] = "The body, the source or the window is not usable.";
            s.Responses[StatusCodes.Status401Unauthorized] = "The API key is missing, wrong or revoked.";
            s.Responses[StatusCodes.Status403Forbidden] = "The API key is limited to other sources.";
            s.Responses[StatusCodes.Status409Conflict] = "A run of this source is going on (on this replica or another).";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        ReconcileRunRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<ReconcileRunRequest>(HttpContext.Request.Body, cancellationToken: ct);
        }
        catch (JsonException)
        {
            request = null;
        }
        if (request is not { Source: { Length: > 0 } source, From: { } from, To: { } to })
        {
            await new ApiError("the body must be JSON with source, from and to").WriteAsync(HttpContext.Response, StatusCodes.Status400BadRequest, ct);
            return;
        }
        if (!AnalystScope.Of(User, sources.Value).CoversSource(source))
        {
            await new ApiError($"this API key may not reconcile source '{source}': it is limited to other sources")
                .WriteAsync(HttpContext.Response, StatusCodes.Status403Forbidden, ct);
            return;
        }
        var window = new ReconcileWindow(source, from, to, ReconcileRun.ApiTrigger);
        if (runner.Problem(window) is { } problem)
        {
            await new ApiError(problem).WriteAsync(HttpContext.Response, StatusCodes.Status400BadRequest, ct);
            return;
        }
        var started = await runner.TryStartAsync(window, ct);
        if (started is null)
        {
            await new ApiError($"a reconciliation of source '{source}' is already running").WriteAsync(HttpContext.Response, StatusCodes.Status409Conflict, ct);
            return;
        }
        var item = ReconcileRunItem.Of(started.Run);
        scheduler.Launch(started);
        HttpContext.Response.StatusCode = StatusCodes.Status202Accepted;
        await HttpContext.Response.WriteAsJsonAsync(item, ct);
    }
}
