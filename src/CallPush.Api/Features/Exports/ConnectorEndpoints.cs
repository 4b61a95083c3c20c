using CallPush.Api.Answers;
using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Persistence;
using FastEndpoints;
using Microsoft.EntityFrameworkCore;

namespace CallPush.Api.Features.Exports;

/// <summary>GET /exports/connectors</summary>
internal sealed class ConnectorListEndpoint(CallPushDbContext db) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Get("/exports/connectors");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("ListExportConnectors").ClearDefaultProduces()
            .Produces<ConnectorResponse[]>(StatusCodes.Status200OK, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json"));
        Summary(s => s.Summary = "Lists the export connectors (destinations). Secrets are never shown, only whether one is set.");
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var rows = await db.Set<ExportConnector>().AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct);
        await HttpContext.Response.WriteAsJsonAsync(rows.Select(ConnectorCatalog.Describe).ToList(), ct);
    }
}

/// <summary>POST /exports/connectors</summary>
internal sealed class ConnectorCreateEndpoint(CallPushDbContext db, ConnectorCatalog catalog) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Post("/exports/connectors");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("CreateExportConnector").ClearDefaultProduces()
            .Accepts<ConnectorRequest>("application/json")
            .Produces<ConnectorResponse>(StatusCodes.Status201Created, "application/json")
            .Produces<ApiError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status409Conflict, "application/json"));
        Summary(s =>
        {
            s.Summary = "Creates a connector: a folder under the export root (kind folder, path) or an S3-compatible bucket (kind s3).";
            s.Description = "An s3 connector takes bucket, prefix, region, serviceUrl (MinIO, Tencent COS), forcePathStyle, accessKey and "
                + "secretKey (stored encrypted) or secretKeyFrom (a configuration key read at each use). A folder path outside the root, "
                + "or leading out of it with '..' or a symbolic link, is refused.";
            s.Responses[StatusCodes.Status400BadRequest] = "The connector is not valid; error says why.";
            s.Responses[StatusCodes.Status409Conflict] = "Another connector has that name.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var (request, problem) = await ExportApi.ReadAsync<ConnectorRequest>(HttpContext, optional: false, ct);
        problem ??= catalog.Validate(request!);
        if (problem is not null)
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status400BadRequest, problem, ct);
            return;
        }
        var now = DateTimeOffset.UtcNow;
        var row = new ExportConnector { Name = "", Kind = "", Settings = "{}", Source = "api", CreatedAt = now, UpdatedAt = now };
        catalog.Apply(request!, row);
        db.Add(row);
        if (!await ExportApi.SaveNamedAsync(db, HttpContext, "connector", row.Name, ct))
        {
            return;
        }
        HttpContext.Response.StatusCode = StatusCodes.Status201Created;
        HttpContext.Response.Headers.Location = $"/exports/connectors/{row.Id}";
        await HttpContext.Response.WriteAsJsonAsync(ConnectorCatalog.Describe(row), ct);
    }
}

/// <summary>GET /exports/connectors/{id}</summary>
internal sealed class ConnectorGetEndpoint(CallPushDbContext db) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Get("/exports/connectors/{id}");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("GetExportConnector").ClearDefaultProduces()
            .Produces<ConnectorResponse>(StatusCodes.Status200OK, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status404NotFound, "application/json"));
        Summary(s => s.Summary = "One connector, without its secret.");
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = ExportApi.RouteId(HttpContext);
        var row = id is null ? null : await db.Set<ExportConnector>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (row is null)
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status404NotFound, "no such connector", ct);
            return;
        }
        await HttpContext.Response.WriteAsJsonAsync(ConnectorCatalog.Describe(row), ct);
    }
}

/// <summary>PUT /exports/connectors/{id}</summary>
internal sealed class ConnectorUpdateEndpoint(CallPushDbContext db, ConnectorCatalog catalog) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Put("/exports/connectors/{id}");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("UpdateExportConnector").ClearDefaultProduces()
            .Accepts<ConnectorRequest>("application/json")
            .Produces<ConnectorResponse>(StatusCodes.Status200OK, "application/json")
            .Produces<ApiError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status404NotFound, "application/json")
            .Produces<ApiError>(StatusCodes.Status409Conflict, "application/json"));
        Summary(s =>
        {
            s.Summary = "Replaces a connector's settings. Without secretKey (and secretKeyFrom) the stored secret is kept.";
            s.Responses[StatusCodes.Status409Conflict] = "The name is taken, or the connector is declared in configuration (change it there).";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = ExportApi.RouteId(HttpContext);
        var row = id is null ? null : await db.Set<ExportConnector>().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (row is null)
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status404NotFound, "no such connector", ct);
            return;
        }
        if (row.Source == "config")
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status409Conflict, "this connector is declared in configuration: change it there", ct);
            return;
        }
        var (request, problem) = await ExportApi.ReadAsync<ConnectorRequest>(HttpContext, optional: false, ct);
        problem ??= catalog.Validate(request!);
        if (problem is not null)
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status400BadRequest, problem, ct);
            return;
        }
        catalog.Apply(request!, row);
        row.UpdatedAt = DateTimeOffset.UtcNow;
        if (!await ExportApi.SaveNamedAsync(db, HttpContext, "connector", row.Name, ct))
        {
            return;
        }
        await HttpContext.Response.WriteAsJsonAsync(ConnectorCatalog.Describe(row), ct);
    }
}

/// <summary>DELETE /exports/connectors/{id}</summary>
internal sealed class ConnectorDeleteEndpoint(CallPushDbContext db) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Delete("/exports/connectors/{id}");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("DeleteExportConnector").ClearDefaultProduces()
            .Produces(StatusCodes.Status204NoContent)
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status404NotFound, "application/json")
            .Produces<ApiError>(StatusCodes.Status409Conflict, "application/json"));
        Summary(s =>
        {
            s.Summary = "Deletes a connector that no job uses.";
            s.Responses[StatusCodes.Status409Conflict] = "A job uses the connector, or it is declared in configuration.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = ExportApi.RouteId(HttpContext);
        var row = id is null ? null : await db.Set<ExportConnector>().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (row is null)
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status404NotFound, "no such connector", ct);
            return;
        }
        if (row.Source == "config")
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status409Conflict, "this connector is declared in configuration: remove it there", ct);
            return;
        }
        db.Remove(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (ExportApi.IsForeignKeyViolation(e))
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status409Conflict, "a job uses this connector: delete or change the job first", ct);
            return;
        }
        HttpContext.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}

/// <summary>POST /exports/connectors/{id}/test</summary>
internal sealed class ConnectorTestEndpoint(CallPushDbContext db, ConnectorCatalog catalog) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Post("/exports/connectors/{id}/test");
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b.WithName("TestExportConnector").ClearDefaultAccepts().ClearDefaultProduces()
            .Produces<ConnectorTestResponse>(StatusCodes.Status200OK, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status404NotFound, "application/json"));
        Summary(s =>
        {
            s.Summary = "Writes and deletes a probe object at the destination and says what failed.";
            s.Description = "ok is true when both worked; otherwise stage names the failure: dns, connection, auth (wrong key), bucket "
                + "(no such bucket), permission (denied), path (folder refused) or other, and error gives the store's message.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = ExportApi.RouteId(HttpContext);
        var row = id is null ? null : await db.Set<ExportConnector>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (row is null)
        {
            await ExportApi.ErrorAsync(HttpContext, StatusCodes.Status404NotFound, "no such connector", ct);
            return;
        }
        DestinationProblem? problem;
        try
        {
            using var destination = catalog.Open(row);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            problem = await destination.TestAsync(timeout.Token);
        }
        catch (DestinationException e)
        {
            problem = e.Problem;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            problem = new DestinationProblem("connection", "no answer within 30 seconds");
        }
        await HttpContext.Response.WriteAsJsonAsync(new ConnectorTestResponse(problem is null, problem?.Stage, problem?.Message), ct);
    }
}
