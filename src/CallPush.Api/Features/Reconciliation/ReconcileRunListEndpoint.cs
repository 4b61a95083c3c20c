using System.Globalization;
using CallPush.Api.Answers;
using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Persistence;
using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Reconciliation;

/// <summary>GET /reconciliation/runs: the latest reconciliation runs, newest first.</summary>
internal sealed class ReconcileRunListEndpoint(CallPushDbContext db, IOptions<SourcesOptions> sources) : EndpointWithoutRequest
{
    public const string Path = "/reconciliation/runs";

    public override void Configure()
    {
        Get(Path);
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b
            .WithName("ListReconcileRuns")
            .ClearDefaultProduces()
            .Produces<ReconcileRunListResponse>(StatusCodes.Status200OK, "application/json")
            .Produces<ApiError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json"));
        Summary(s =>
        {
            s.Summary = "Lists reconciliation runs, newest first.";
            s.Description = "Each run compared one source's window with the platform's DescribeTelCdr and stored what CallPush lacked. "
                + "Optional query parameters: source (one source's runs) and limit (1 to 500, default 50). A key limited to sources "
                + "sees only their runs.";
            s.Params["source"] = "Only this source's runs.";
            s.Params["limit"] = "How many runs at most (1 to 500, default 50).";
            s.Responses[StatusCodes.Status200OK] = "The runs.";
            s.Responses[StatusCodes.Status400BadRequest] = "limit is not a number from 1 to 500.";
            s.Responses[StatusCodes.Status401Unauthorized] = "The API key is missing, wrong or revoked.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var query = HttpContext.Request.Query;
        var limit = 50;
        if (query.ContainsKey("limit")
            && (!int.TryParse(query["limit"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 500))
        {
            await new ApiError("limit must be a number from 1 to 500").WriteAsync(HttpContext.Response, StatusCodes.Status400BadRequest, ct);
            return;
        }
        var runs = db.ReconcileRuns.AsNoTracking();
        var scope = AnalystScope.Of(User, sources.Value);
        if (scope.Limited)
        {
            var own = scope.Sources.ToArray();
            runs = runs.Where(r => own.Contains(r.Source));
        }
        if (query["source"].ToString() is { Length: > 0 } source)
        {
            runs = runs.Where(r => r.Source == source);
        }
        var items = await runs.OrderByDescending(r => r.Id).Take(limit).ToListAsync(ct);
        HttpContext.Response.Headers.CacheControl = "no-store";
        await HttpContext.Response.WriteAsJsonAsync(new ReconcileRunListResponse([.. items.Select(ReconcileRunItem.Of)]), ct);
    }
}
