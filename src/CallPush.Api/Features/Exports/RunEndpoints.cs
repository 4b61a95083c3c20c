using CallPush.Api.Answers;
using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Persistence;
using FastEndpoints;
using CallPush.Api.Features.Reconciliation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Exports;

/// <summary>POST /exports/jobs/{id}/runs</summary>
internal sealed class RunCreateEndpoint(CallPushDbContext db, ExportRunQueue queue, IOptions<SourcesOptions> sources) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Post("/exports/jobs/{id}/runs");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("StartExportRun").ClearDefaultProduces()
            .ClearDefaultAccepts()
            .Produces<RunResponse>(StatusCodes.Status202Accepted, "application/json")
            .Produces<ApiError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status404NotFound, "application/json")
            .Produces<RunConflict>(StatusCodes.Status409Conflict, "application/json"));
        Summary(s =>
        {
            s.Summary = "Runs a job now, paused or not. The run is recorded pending and executed by the scheduler of one replica.";
            s.Description = "Without a body the run exports what the job has not exported yet (as a scheduled run does). "
                + "{\"day\":\"2026-03-08\"} or {\"from\":\"2026-03-01\",\"to\":\"2026-03-07\"} exports those days again (a backfill).";
            s.Responses[StatusCodes.Status202Accepted] = "The run, pending; follow it at /exports/runs/{runId}.";
            s.Responses[StatusCodes.Status409Conflict] = "A run of the job is already pending or running; runId names it.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = ExportApi.RouteId(HttpContext);
        var tenants = id is null ? null : await db.Set<ExportJob>().Where(j => j.Id == id).Select(j => j.Tenants).FirstOrDefaultAsync(ct);
        if (id is null || tenants is null || !AnalystScope.Of(User, sources.Value).CoversAll(tenants))
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status404NotFound, "no such job", ct);
            return;
        }
        var (request, problem) = await ExportApi.ReadAsync<RunRequest>(HttpContext, optional: true, ct);
        DateOnly? from = request?.Day ?? request?.From;
        DateOnly? to = request?.Day ?? request?.To ?? request?.From;
        if (problem is null && request is { Day: not null } && (request.From is not null || request.To is not null))
        {
            problem = "give day, or from and to, not both";
        }
        if (problem is null && request is { Day: null, From: null, To: not null })
        {
            problem = "to needs from";
        }
        if (problem is null && from is { } f && to is { } t && (t < f || t.DayNumber - f.DayNumber > 3660))
        {
            problem = "to must be on or after from, within ten years";
        }
        if (problem is not null)
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status400BadRequest, problem, ct);
            return;
        }
        var (runId, activeRunId) = await queue.EnqueueAsync(id.Value, "manual", from, to, ct);
        if (runId is null)
        {
            HttpContext.Response.StatusCode = StatusCodes.Status409Conflict;
            await HttpContext.Response.WriteAsJsonAsync(new RunConflict($"run {activeRunId} of this job is pending or running", activeRunId ?? 0), ct);
            return;
        }
        var run = await db.Set<ExportRun>().AsNoTracking().FirstAsync(r => r.Id == runId, ct);
        HttpContext.Response.StatusCode = StatusCodes.Status202Accepted;
        HttpContext.Response.Headers.Location = $"/exports/runs/{run.Id}";
        await HttpContext.Response.WriteAsJsonAsync(JobRules.Describe(run), ct);
    }
}

/// <summary>GET /exports/jobs/{id}/runs</summary>
internal sealed class RunListEndpoint(CallPushDbContext db, IOptions<SourcesOptions> sources) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Get("/exports/jobs/{id}/runs");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("ListExportRuns").ClearDefaultProduces()
            .Produces<RunResponse[]>(StatusCodes.Status200OK, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status404NotFound, "application/json"));
        Summary(s =>
        {
            s.Summary = "The job's execution history, newest first (at most 100; ?before=<runId> pages back).";
            s.Description = "status is pending, processing, delivering, success, partial_success (some files not delivered), "
                + "handler_failed (the files could not be made) or delivery_failed (none could be delivered); error says why.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = ExportApi.RouteId(HttpContext);
        var tenants = id is null ? null : await db.Set<ExportJob>().Where(j => j.Id == id).Select(j => j.Tenants).FirstOrDefaultAsync(ct);
        if (id is null || tenants is null || !AnalystScope.Of(User, sources.Value).CoversAll(tenants))
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status404NotFound, "no such job", ct);
            return;
        }
        var before = long.TryParse(HttpContext.Request.Query["before"].ToString(), out var b) ? b : long.MaxValue;
        var runs = await db.Set<ExportRun>().AsNoTracking().Where(r => r.JobId == id && r.Id < before)
            .OrderByDescending(r => r.Id).Take(100).ToListAsync(ct);
        await HttpContext.Response.WriteAsJsonAsync(runs.Select(JobRules.Describe).ToList(), ct);
    }
}

/// <summary>GET /exports/runs/{runId}</summary>
internal sealed class RunGetEndpoint(CallPushDbContext db, IOptions<SourcesOptions> sources) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Get("/exports/runs/{runId}");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("GetExportRun").ClearDefaultProduces()
            .Produces<RunResponse>(StatusCodes.Status200OK, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status404NotFound, "application/json"));
        Summary(s => s.Summary = "One run: status, timings, days covered, files with row counts and SHA-256, error.");
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = ExportApi.RouteId(HttpContext, "runId");
        var run = id is null ? null : await db.Set<ExportRun>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        var tenants = run is null ? null : await db.Set<ExportJob>().Where(j => j.Id == run.JobId).Select(j => j.Tenants).FirstOrDefaultAsync(ct);
        if (run is null || tenants is null || !AnalystScope.Of(User, sources.Value).CoversAll(tenants))
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status404NotFound, "no such run", ct);
            return;
        }
        await HttpContext.Response.WriteAsJsonAsync(JobRules.Describe(run), ct);
    }
}
