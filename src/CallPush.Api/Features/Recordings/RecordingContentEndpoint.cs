using System.Globalization;
using System.Text.Json.Serialization;
using CallPush.Api.Answers;
using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Features.Reconciliation;
using CallPush.Api.Persistence;
using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CallPush.Api.Features.Recordings;

/// <summary>The 404 of a recording that is known but not in storage (yet): its queue status, and why it failed.</summary>
public sealed record RecordingNotArchived(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("lastError")] string? LastError);

/// <summary>
/// GET and HEAD /recordings/{id}/content: an archived recording's bytes, with single ranges (206/416), conditional
/// requests on the SHA-256 ETag (304) and Content-Disposition; or a 302 to a presigned URL when the storage gives one
/// and CallPush__Recordings__RedirectToPresignedUrl is on.
/// </summary>
internal sealed partial class RecordingContentEndpoint(
    CallPushDbContext db,
    IRecordingStorage storage,
    IOptions<RecordingsOptions> options,
    RecordingAccessLog audit,
    IOptions<SourcesOptions> sources,
    ILogger<RecordingContentEndpoint> logger) : EndpointWithoutRequest
{
    public const string Path = "/recordings/{id}/content";
    private const string DefaultContentType = "audio/mpeg";

    public static string PathOf(long id) => $"/recordings/{id.ToString(CultureInfo.InvariantCulture)}/content";

    public override void Configure()
    {
        Verbs(Http.GET, Http.HEAD);
        Routes(Path);
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b
            .ClearDefaultProduces()
            .Produces<Stream>(StatusCodes.Status200OK, DefaultContentType)
            .Produces<Stream>(StatusCodes.Status206PartialContent, DefaultContentType)
            .Produces(StatusCodes.Status302Found)
            .Produces(StatusCodes.Status304NotModified)
            .Produces<ApiError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ApiError>(StatusCodes.Status403Forbidden, "application/json")
            .Produces<RecordingNotArchived>(StatusCodes.Status404NotFound, "application/json")
            .Produces(StatusCodes.Status416RangeNotSatisfiable));
        Summary(s =>
        {
            s.Summary = "Serves an archived recording (GET: the bytes; HEAD: only the headers).";
            s.Description = "Content-Type from the archive (audio/mpeg for MP3), Content-Length, ETag (the file's SHA-256), Last-Modified "
                + "(when it was archived) and Accept-Ranges: bytes. attachment=true answers Content-Disposition: attachment (a download); "
                + "the default, attachment=false, answers inline (playable in a browser); both name the file. Every request, whatever "
                + "its answer, is recorded in recording_access_log with the Range asked for and the bytes sent.";
            s.Params["id"] = "The recording's id, from GET /recordings.";
            s.Params["attachment"] = "true: Content-Disposition attachment; false (default): inline.";
            s.Responses[StatusCodes.Status200OK] = "The whole file.";
            s.Responses[StatusCodes.Status206PartialContent] = "The single byte range asked for with Range (Content-Range says which).";
            s.Responses[StatusCodes.Status302Found] = "CallPush__Recordings__RedirectToPresignedUrl is on: Location is a short-lived presigned URL of the file.";
            s.Responses[StatusCodes.Status304NotModified] = "If-None-Match named the file's ETag.";
            s.Responses[StatusCodes.Status400BadRequest] = "attachment is neither true nor false.";
            s.Responses[StatusCodes.Status401Unauthorized] = "The API key is missing, wrong or revoked.";
            s.Responses[StatusCodes.Status403Forbidden] = "The API key is limited to sources, and the recording belongs to another SdkAppId.";
            s.Responses[StatusCodes.Status404NotFound] = "No recording has this id; or it is not archived yet (status pending or failed, "
                + "with lastError); or its file is missing from storage.";
            s.Responses[StatusCodes.Status416RangeNotSatisfiable] = "The Range lies beyond the end of the file (Content-Range: bytes */length).";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var access = audit.Track(HttpContext, RecordingAccess.ContentOperation);
        var response = HttpContext.Response;
        var attachmentValue = HttpContext.Request.Query["attachment"].ToString();
        var attachment = false;
        if (attachmentValue.Length > 0 && !bool.TryParse(attachmentValue, out attachment))
        {
            await new ApiError("attachment must be true or false").WriteAsync(response, StatusCodes.Status400BadRequest, ct);
            return;
        }
        if (!long.TryParse(Route<string>("id", isRequired: false), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            await new ApiError("no recording has this id").WriteAsync(response, StatusCodes.Status404NotFound, ct);
            return;
        }
        access.RecordingFileId = id;
        var file = await db.RecordingFiles.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct);
        if (file is null)
        {
            await new ApiError("no recording has this id").WriteAsync(response, StatusCodes.Status404NotFound, ct);
            return;
        }
        access.SdkAppId = file.SdkAppId;
        access.SessionId = file.SessionId;
        if (!AnalystScope.Of(User, sources.Value).Covers(file.SdkAppId))
        {
            await new ApiError("this API key may not read this recording: it belongs to a source the key is not limited to")
                .WriteAsync(response, StatusCodes.Status403Forbidden, ct);
            return;
        }
        if (file.Status != RecordingFile.Archived || file.StorageKey is null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            await response.WriteAsJsonAsync(new RecordingNotArchived("not archived yet", file.Status,
                file.Status == RecordingFile.Failed ? file.LastError : null), ct);
            return;
        }

        var fileName = FileNameOf(file.StorageKey);
        if (options.Value.RedirectToPresignedUrl
            && storage.PresignedUrl(file.StorageKey, options.Value.PresignedUrlLifetime, fileName, attachment) is { } presigned)
        {
            response.Headers.CacheControl = "no-store";
            await Send.RedirectAsync(presigned.AbsoluteUri, isPermanent: false, allowRemoteRedirects: true);
            return;
        }

        var stored = await storage.OpenAsync(file.StorageKey, ct);
        if (stored is null)
        {
            LogMissingObject(logger, file.Id, file.StorageKey);
            await new ApiError("the recording's file is missing from storage").WriteAsync(response, StatusCodes.Status404NotFound, ct);
            return;
        }
        await using (stored)
        {
            var disposition = new ContentDispositionHeaderValue(attachment ? "attachment" : "inline");
            disposition.SetHttpFileName(fileName);
            response.Headers.ContentDisposition = disposition.ToString();
            response.Headers.CacheControl = "private";
            var entityTag = file.Sha256 is { Length: > 0 } sha256 ? new EntityTagHeaderValue("\"" + sha256 + "\"") : null;
            await Send.ResultAsync(TypedResults.Stream(stored.Content, file.ContentType ?? DefaultContentType,
                lastModified: file.ArchivedAt ?? stored.LastModified, entityTag: entityTag, enableRangeProcessing: true));
        }
    }

    /// <summary>The last segment of the storage key: the name the platform gave the file.</summary>
    private static string FileNameOf(string storageKey) => storageKey[(storageKey.LastIndexOf('/') + 1)..];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {RecordingFileId} is archived but its file {StorageKey} is missing from storage")]
    private static partial void LogMissingObject(ILogger logger, long recordingFileId, string storageKey);
}
