using CallPush.Api.Answers;
using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Persistence;
using FastEndpoints;
using CallPush.Api.Features.Reconciliation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Exports;

/// <summary>GET /exports/jobs</summary>
internal sealed class JobListEndpoint(CallPushDbContext db, IOptions<SourcesOptions> sources) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Get("/exports/jobs");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("ListExportJobs").ClearDefaultProduces()
            .Produces<JobResponse[]>(StatusCodes.Status200OK, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json"));
        Summary(s => s.Summary = "Lists the export jobs with their schedules and next run time.");
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var scope = AnalystScope.Of(User, sources.Value);
        var rows = await db.Set<ExportJob>().AsNoTracking().OrderBy(j => j.Id).ToListAsync(ct);
        await HttpContext.Response.WriteAsJsonAsync(rows.Where(j => scope.CoversAll(j.Tenants)).Select(JobRules.Describe).ToList(), ct);
    }
}

/// <summary>POST /exports/jobs</summary>
internal sealed class JobCreateEndpoint(CallPushDbContext db, IOptions<SourcesOptions> sources) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Post("/exports/jobs");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("CreateExportJob").ClearDefaultProduces()
            .Accepts<JobRequest>("application/json")
            .Produces<JobResponse>(StatusCodes.Status201Created, "application/json")
            .Produces<ApiError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<ApiError>(StatusCodes.Status403Forbidden, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status409Conflict, "application/json"));
        Summary(s =>
        {
            s.Summary = "Creates an export job: connector, containers, tenants, time zone and frequency.";
            s.Description = "frequency is once, daily, weekly (dayOfWeek 0-6), monthly (dayOfMonth 1-28) at a local time 'at' (HH:mm), "
                + "or cron (a cron expression in the job's time zone). startDate and endDate bound the days exported; enabled false pauses it.";
            s.Responses[StatusCodes.Status400BadRequest] = "The job is not valid (unknown container, time zone, connector...); error says why.";
            s.Responses[StatusCodes.Status403Forbidden] = "The API key is limited to sources, and tenants names SdkAppIds outside them.";
            s.Responses[StatusCodes.Status409Conflict] = "Another job has that name.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var (request, problem) = await ExportApi.ReadAsync<JobRequest>(HttpContext, optional: false, ct);
        var now = DateTimeOffset.UtcNow;
        var row = new ExportJob { Name = "", Containers = [], Tenants = [], TimeZone = "UTC", Frequency = "daily", Source = "api", CreatedAt = now };
        problem ??= JobRules.Apply(request!, row, now);
        if (problem is null && !await db.Set<ExportConnector>().AnyAsync(c => c.Id == row.ConnectorId, ct))
        {
            problem = $"no connector has the id {row.ConnectorId}";
        }
        if (problem is not null)
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status400BadRequest, problem, ct);
            return;
        }
        if (!AnalystScope.Of(User, sources.Value).CoversAll(row.Tenants))
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status403Forbidden,
                "tenants names SdkAppIds outside the sources this API key is limited to", ct);
            return;
        }
        db.Add(row);
        if (!await ExportApi.SaveNamedAsync(db, HttpContext, "job", row.Name, ct))
        {
            return;
        }
        HttpContext.Response.StatusCode = StatusCodes.Status201Created;
        HttpContext.Response.Headers.Location = $"/exports/jobs/{row.Id}";
        await HttpContext.Response.WriteAsJsonAsync(JobRules.Describe(row), ct);
    }
}

/// <summary>GET /exports/jobs/{id}</summary>
internal sealed class JobGetEndpoint(CallPushDbContext db, IOptions<SourcesOptions> sources) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Get("/exports/jobs/{id}");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("GetExportJob").ClearDefaultProduces()
            .Produces<JobResponse>(StatusCodes.Status200OK, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status404NotFound, "application/json"));
        Summary(s => s.Summary = "One export job.");
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = ExportApi.RouteId(HttpContext);
        var row = id is null ? null : await db.Set<ExportJob>().AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct);
        if (row is null || !AnalystScope.Of(User, sources.Value).CoversAll(row.Tenants))
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status404NotFound, "no such job", ct);
            return;
        }
        await HttpContext.Response.WriteAsJsonAsync(JobRules.Describe(row), ct);
    }
}

/// <summary>PUT /exports/jobs/{id}</summary>
internal sealed class JobUpdateEndpoint(CallPushDbContext db, IOptions<SourcesOptions> sources) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Put("/exports/jobs/{id}");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("UpdateExportJob").ClearDefaultProduces()
            .Accepts<JobRequest>("application/json")
            .Produces<JobResponse>(StatusCodes.Status200OK, "application/json")
            .Produces<ApiError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<ApiError>(StatusCodes.Status403Forbidden, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status404NotFound, "application/json")
            .Produces<ApiError>(StatusCodes.Status409Conflict, "application/json"));
        Summary(s =>
        {
            s.Summary = "Replaces a job's settings; enabled false pauses it, true resumes it (the next run time is computed again).";
            s.Responses[StatusCodes.Status409Conflict] = "The name is taken, or the job is declared in configuration (change it there).";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = ExportApi.RouteId(HttpContext);
        var row = id is null ? null : await db.Set<ExportJob>().FirstOrDefaultAsync(j => j.Id == id, ct);
        if (row is null || !AnalystScope.Of(User, sources.Value).CoversAll(row.Tenants))
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status404NotFound, "no such job", ct);
            return;
        }
        if (row.Source == "config")
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status409Conflict, "this job is declared in configuration: change it there", ct);
            return;
        }
        var (request, problem) = await ExportApi.ReadAsync<JobRequest>(HttpContext, optional: false, ct);
        problem ??= JobRules.Apply(request!, row, DateTimeOffset.UtcNow);
        if (problem is null && !await db.Set<ExportConnector>().AnyAsync(c => c.Id == row.ConnectorId, ct))
        {
            problem = $"no connector has the id {row.ConnectorId}";
        }
        if (problem is not null)
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status400BadRequest, problem, ct);
            return;
        }
        if (!AnalystScope.Of(User, sources.Value).CoversAll(row.Tenants))
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status403Forbidden,
                "tenants names SdkAppIds outside the sources this API key is limited to", ct);
            return;
        }
        if (!await ExportApi.SaveNamedAsync(db, HttpContext, "job", row.Name, ct))
        {
            return;
        }
        await HttpContext.Response.WriteAsJsonAsync(JobRules.Describe(row), ct);
    }
}

/// <summary>DELETE /exports/jobs/{id}</summary>
internal sealed class JobDeleteEndpoint(CallPushDbContext db, IOptions<SourcesOptions> sources) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Delete("/exports/jobs/{id}");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("DeleteExportJob").ClearDefaultProduces()
            .Produces(StatusCodes.Status204NoContent)
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status404NotFound, "application/json")
            .Produces<ApiError>(StatusCodes.Status409Conflict, "application/json"));
        Summary(s =>
        {
            s.Summary = "Deletes a job and its run history (files already delivered stay where they are).";
            s.Responses[StatusCodes.Status409Conflict] = "The job is declared in configuration.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = ExportApi.RouteId(HttpContext);
        var row = id is null ? null : await db.Set<ExportJob>().FirstOrDefaultAsync(j => j.Id == id, ct);
        if (row is null || !AnalystScope.Of(User, sources.Value).CoversAll(row.Tenants))
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status404NotFound, "no such job", ct);
            return;
        }
        if (row.Source == "config")
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status409Conflict, "this job is declared in configuration: remove it there", ct);
            return;
        }
        db.Remove(row);
        await db.SaveChangesAsync(ct);
        HttpContext.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
