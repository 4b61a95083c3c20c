using System.Globalization;
using System.Text.Json.Serialization;
using CallPush.Api.Answers;
using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Features.Reconciliation;
using CallPush.Api.Persistence;
using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Recordings;

public sealed record RecordingListResponse(
    [property: JsonPropertyName("sdkAppId")] long SdkAppId,
    [property: JsonPropertyName("sessionId")] string SessionId,
    [property: JsonPropertyName("recordings")] IReadOnlyList<RecordingListItem> Recordings);

public sealed record RecordingListItem(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("endpointUser")] string? EndpointUser,
    [property: JsonPropertyName("recordId")] string? RecordId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("sizeBytes")] long? SizeBytes,
    [property: JsonPropertyName("sha256")] string? Sha256,
    [property: JsonPropertyName("durationSeconds")] double? DurationSeconds,
    [property: JsonPropertyName("archivedAt")] DateTimeOffset? ArchivedAt,
    [property: JsonPropertyName("lastError")] string? LastError,
    [property: JsonPropertyName("contentUrl")] string? ContentUrl);

/// <summary>GET /recordings?sdkAppId=&amp;sessionId=: a session's recordings, archived or not, for analysts.</summary>
internal sealed class RecordingListEndpoint(CallPushDbContext db, RecordingAccessLog audit, IOptions<SourcesOptions> sources) : EndpointWithoutRequest
{
    public const string Path = "/recordings";

    public override void Configure()
    {
        Get(Path);
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b
            .WithName("ListRecordings")
            .ClearDefaultProduces()
            .Produces<RecordingListResponse>(StatusCodes.Status200OK, "application/json")
            .Produces<ApiError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status403Forbidden, "application/json"));
        Summary(s =>
        {
            s.Summary = "Lists the recordings of a call session, with their archive status and content links.";
            s.Description = "Query parameters sdkAppId (a number) and sessionId are both required. Every recording URL the platform "
                + "pushed for the session is listed: pending (not fetched yet), archived (contentUrl serves the file) or failed (lastError says why). "
                + "Each listing is recorded in recording_access_log.";
            s.Params["sdkAppId"] = "The contact center's SdkAppId.";
            s.Params["sessionId"] = "The call's SessionId.";
            s.Responses[StatusCodes.Status200OK] = "The session's recordings (an empty list when none is known).";
            s.Responses[StatusCodes.Status400BadRequest] = "sdkAppId or sessionId is missing or invalid.";
            s.Responses[StatusCodes.Status401Unauthorized] = "The API key is missing, wrong or revoked.";
            s.Responses[StatusCodes.Status403Forbidden] = "The API key is limited to sources, and sdkAppId is not one of theirs.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var access = audit.Track(HttpContext, RecordingAccess.ListOperation);
        var query = HttpContext.Request.Query;
        if (!long.TryParse(query["sdkAppId"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var sdkAppId) || sdkAppId <= 0)
        {
            await new ApiError("sdkAppId is required and must be a positive number").WriteAsync(HttpContext.Response, StatusCodes.Status400BadRequest, ct);
            return;
        }
        access.SdkAppId = sdkAppId;
        if (!AnalystScope.Of(User, sources.Value).Covers(sdkAppId))
        {
            await new ApiError($"this API key may not read the recordings of SdkAppId {sdkAppId}: it is limited to other sources")
                .WriteAsync(HttpContext.Response, StatusCodes.Status403Forbidden, ct);
            return;
        }
        var sessionId = query["sessionId"].ToString();
        if (sessionId.Length is 0 or > 256 || query["sessionId"].Count > 1)
        {
            await new ApiError("sessionId is required (one value, at most 256 characters)").WriteAsync(HttpContext.Response, StatusCodes.Status400BadRequest, ct);
            return;
        }
        access.SessionId = sessionId;

        var files = await db.RecordingFiles.AsNoTracking()
            .Where(f => f.SdkAppId == sdkAppId && f.SessionId == sessionId)
            .OrderBy(f => f.Id)
            .ToListAsync(ct);
        var items = files.Select(f => new RecordingListItem(f.Id, f.Kind, f.EndpointUser, f.RecordId, f.Status, f.SizeBytes, f.Sha256,
            f.DurationSeconds, f.ArchivedAt, f.Status == RecordingFile.Failed ? f.LastError : null,
            f.Status == RecordingFile.Archived ? RecordingContentEndpoint.PathOf(f.Id) : null)).ToList();
        HttpContext.Response.Headers.CacheControl = "no-store";
        await HttpContext.Response.WriteAsJsonAsync(new RecordingListResponse(sdkAppId, sessionId, items), ct);
    }
}
