using FastEndpoints;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CallPush.Api.Diagnostics;

/// <summary>
/// GET /health/live (the process is up) and GET /health/ready (the schema is current and the database answers now),
/// in every environment, without authentication; answered <c>Healthy</c> 200 or <c>Unhealthy</c> 503 as plain text.
/// </summary>
internal sealed class HealthEndpoint(HealthCheckService health) : EndpointWithoutRequest
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    public override void Configure()
    {
        Get(LivePath, ReadyPath);
        AllowAnonymous();
        Description(b => b
            .ClearDefaultProduces()
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .Produces<string>(StatusCodes.Status503ServiceUnavailable, "text/plain"));
        Summary(s =>
        {
            s.Summary = "Liveness (/health/live) and readiness (/health/ready: migrated, and the database answers).";
            s.Responses[StatusCodes.Status200OK] = "Healthy";
            s.Responses[StatusCodes.Status503ServiceUnavailable] = "Unhealthy";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var tag = HttpContext.Request.Path.StartsWithSegments(ReadyPath) ? ReadyTag : LiveTag;
        var report = await health.CheckHealthAsync(check => check.Tags.Contains(tag), ct);
        var response = HttpContext.Response;
        response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        response.Headers.CacheControl = "no-store, no-cache";
        response.Headers.Pragma = "no-cache";
        response.ContentType = "text/plain";
        await response.WriteAsync(report.Status.ToString(), ct);
    }
}
