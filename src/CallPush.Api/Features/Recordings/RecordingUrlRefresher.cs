using CallPush.Api.Features.Reconciliation;
using CallPush.Api.Persistence;

namespace CallPush.Api.Features.Recordings;

/// <summary>The platform's current RecordURL for a recording whose pushed URL no longer works.</summary>
internal sealed record RefreshedUrl(Uri Url, string Source, string? RequestId) : FetchResult;

/// <summary>
/// Asks DescribeSessionDetail for a session's current RecordURL, through the API client (and so the rate limit and
/// backoff) of the source that lists the recording's SdkAppId. Only record files are refreshed: the API answers one
/// platform RecordURL per session, while CustomRecordURL points to the customer's own storage.
/// </summary>
internal sealed class RecordingUrlRefresher(TelCdrClients clients, RecordingQueue queue, ILogger<RecordingUrlRefresher> logger)
{
    /// <summary>How long DescribeSessionDetail's RecordURL works (the API's documentation: fetch it within 24 hours).</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromHours(24);

    /// <summary>The platform's sessions are searched from a day before the session's start (or its record push) to a day after its end.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromDays(1);

    public bool CanRefresh(ClaimedRecording row) =>
        row.Kind == RecordingFile.RecordKind && clients.ForSdkAppId(row.SdkAppId) is not null;

    /// <summary>
    /// A <see cref="RefreshedUrl"/>, or why there is none (retried later when the API may answer then); null when the
    /// file cannot be refreshed. The API gives one RecordURL per session, so a file is refreshed only when it is that
    /// recording: the one its CDR's RecordId names, or, before the CDR, the session's only record file.
    /// </summary>
    public async Task<FetchResult?> RefreshAsync(ClaimedRecording row, CancellationToken cancellationToken)
    {
        if (row.Kind != RecordingFile.RecordKind || clients.ForSdkAppId(row.SdkAppId) is not { } found)
        {
            return null;
        }
        var (source, client) = found;
        var session = await queue.SessionOfAsync(row, cancellationToken);
        if (session.CdrRecordId is { } cdrRecordId ? cdrRecordId != row.RecordId : session.RecordFiles > 1)
        {
            return null;
        }
        var now = DateTimeOffset.UtcNow;
        var from = (session.StartedAt ?? row.RecordedAt ?? row.EnqueuedAt) - Margin;
        var to = (session.EndedAt ?? row.RecordedAt ?? row.EnqueuedAt) + Margin;
        // DescribeSessionDetail's StartTimestamp reaches back at most 180 days and its window is shorter than 90 days
        // (the SDK's DescribeSessionDetailRequest documentation); a session older than that cannot be asked for.
        var oldest = now - TelCdrClient.MaxAge + TimeSpan.FromMinutes(5);
        if (from < oldest)
        {
            from = oldest;
        }
        if (to > now)
        {
            to = now;
        }
        if (to <= from)
        {
            return NotFetched.Fail("refresh", $"{TelCdrClient.SessionDetailAction} reaches back 180 days, and the session is older");
        }
        if (TelCdrClient.WindowProblem(from, to, now) is { } problem)
        {
            return NotFetched.Fail("refresh", $"{TelCdrClient.SessionDetailAction} cannot be asked: {problem}");
        }
        try
        {
            var detail = await client.DescribeSessionDetailAsync(row.SdkAppId, row.SessionId, from, to, cancellationToken);
            if (detail.RecordUrl is null)
            {
                return NotFetched.Fail("refresh",
                    $"{TelCdrClient.SessionDetailAction} has no RecordURL for the session (RequestId {detail.RequestId})");
            }
            if (!Uri.TryCreate(detail.RecordUrl, UriKind.Absolute, out var url))
            {
                return NotFetched.Fail("refresh",
                    $"{TelCdrClient.SessionDetailAction}'s RecordURL is not an absolute URL (RequestId {detail.RequestId})");
            }
            return new RefreshedUrl(url, source, detail.RequestId);
        }
        catch (CloudApiException e) when (e.IsAuthFailure)
        {
            RecordingArchiveLog.RefreshRefused(logger, source, e.Code, e.RequestId);
            return NotFetched.Fail("refresh", $"{TelCdrClient.SessionDetailAction} refused source '{source}''s credentials: {e.Message}");
        }
        catch (CloudApiException e) when (e.IsTransient)
        {
            return NotFetched.Later("refresh", $"{TelCdrClient.SessionDetailAction}: {e.Message}");
        }
        catch (CloudApiException e)
        {
            return NotFetched.Fail("refresh", $"{TelCdrClient.SessionDetailAction}: {e.Message}");
        }
    }
}
