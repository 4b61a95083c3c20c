using System.Diagnostics;
using CallPush.Api.Diagnostics;
using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Recordings;

/// <summary>
/// Archives queued recording files: claims due rows (each replica its own, by SKIP LOCKED), fetches up to
/// <see cref="RecordingsOptions.Concurrency"/> at once, stores them, and records each outcome on its row.
/// </summary>
internal sealed class RecordingArchiveWorker(
    RecordingQueue queue,
    RecordingFetcher fetcher,
    RecordingUrlRefresher refresher,
    IRecordingStorage storage,
    DatabaseState database,
    RecordingArchiveMetrics metrics,
    IOptions<RecordingsOptions> options,
    ILogger<RecordingArchiveWorker> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);
    private static readonly TimeSpan MeasureEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan OutcomeWriteTimeout = TimeSpan.FromSeconds(5);

    private readonly RecordingsOptions _options = options.Value;

    /// <summary>How long a claimed row stays with this replica: the fetch's own limit and the time to record its outcome.</summary>
    private TimeSpan Lease => _options.FetchTimeout + OutcomeWriteTimeout + TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!database.SchemaIsCurrent)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken);
        }

        DeleteAbandonedDownloads();
        var inFlight = new List<Task>();
        var measuredAt = 0L;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
                var free = _options.Concurrency - inFlight.Count;
                if (free > 0)
                {
                    try
                    {
                        foreach (var row in await queue.ClaimAsync(free, Lease, stoppingToken))
                        {
                            inFlight.Add(ProcessAsync(row, stoppingToken));
                        }
                        if (measuredAt == 0 || Stopwatch.GetElapsedTime(measuredAt) >= MeasureEvery)
                        {
                            var (depth, oldest) = await queue.MeasureAsync(stoppingToken);
                            metrics.QueueMeasured(depth, oldest);
                            measuredAt = Stopwatch.GetTimestamp();
                        }
                    }
                    catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                    {
                        RecordingArchiveLog.QueueUnavailable(logger, e);
                    }
                }
                await Task.WhenAny([.. inFlight, Task.Delay(_options.PollInterval, stoppingToken)]);
            }
        }
        finally
        {
            await Task.WhenAll(inFlight);
        }
    }

    private async Task ProcessAsync(ClaimedRecording row, CancellationToken stoppingToken)
    {
        await Task.Yield();
        Uri.TryCreate(row.SourceUrl, UriKind.Absolute, out var url);
        var host = url?.IsAbsoluteUri == true && !string.IsNullOrEmpty(url.Host) ? url.Host : "(none)";
        using var activity = RecordingArchiveMetrics.StartFetch(row.Id, row.SdkAppId, row.SessionId, row.Kind, host);
        var started = Stopwatch.GetTimestamp();
        Directory.CreateDirectory(TempFolder);
        var tempFile = Path.Combine(TempFolder, $"recording-{row.Id}-{Guid.NewGuid():N}.download");
        var outcome = "error";
        try
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            attempt.CancelAfter(_options.FetchTimeout);
            FetchResult result;
            try
            {
                result = await AttemptAsync(row, url, tempFile, attempt.Token);
            }
            catch (OperationCanceledException) when (attempt.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
            {
                result = NotFetched.Later("timeout", $"not fetched within CallPush__Recordings__FetchTimeout ({_options.FetchTimeout})");
            }
            outcome = await RecordAsync(row, host, result);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            outcome = "stopped";
            await HandBackAsync(row);
        }
        catch (Exception e)
        {
            RecordingArchiveLog.AttemptCrashed(logger, e, row.Id);
        }
        finally
        {
            TryDelete(tempFile);
            metrics.FetchDone(Stopwatch.GetElapsedTime(started), outcome);
            activity?.SetTag("callpush.outcome", outcome);
            if (outcome != RecordingFile.Archived)
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }
        }
    }

    /// <summary>
    /// On a graceful stop the row is made due again rather than left to its lease, so another replica (or this one, after
    /// a rolling update) fetches it at once. A crash still leaves it to the lease.
    /// </summary>
    private async Task HandBackAsync(ClaimedRecording row)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await queue.HandBackAsync(row, timeout.Token);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or OperationCanceledException or TimeoutException)
        {
            RecordingArchiveLog.QueueUnavailable(logger, e);
        }
    }

    /// <summary>
    /// Fetches the pushed URL, or the fresh one the platform gave for it. When the pushed URL has expired (by its signature's
    /// time, or by 403/404 past NotFoundRetryWindow) and the SdkAppId's source has API credentials, the platform is asked
    /// for a fresh URL and that is fetched at once. A fresh URL is asked for at most once in its 24 hours: a 403/404 on it
    /// fails the file.
    /// </summary>
    private async Task<FetchResult> AttemptAsync(ClaimedRecording row, Uri? url, string tempFile, CancellationToken cancellationToken)
    {
        if (url is null || url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps || string.IsNullOrEmpty(url.Host))
        {
            return NotFetched.Fail("url", url is null ? "not an absolute URL" : $"scheme '{url.Scheme}' is not http or https");
        }
        var now = DateTimeOffset.UtcNow;
        var refreshedLately = row.RefreshedAt is { } refreshedAt && now - refreshedAt < RecordingUrlRefresher.Validity;
        var current = row.RefreshedUrl is not null && Uri.TryCreate(row.RefreshedUrl, UriKind.Absolute, out var refreshedUrl) ? refreshedUrl : url;
        var refreshable = !refreshedLately && refresher.CanRefresh(row);
        if (refreshable && (row.RefreshedAt is not null || RecordingUrlExpiry.ExpiresAt(current) <= now))
        {
            var why = row.RefreshedAt is null ? "the URL's signature has expired" : "the URL refreshed more than 24 hours ago has expired";
            if (await RefreshAndFetchAsync(row, url, tempFile, why, cancellationToken) is { } refreshed)
            {
                return refreshed;
            }
        }
        var result = await FetchAndStoreAsync(row, current, url, tempFile, cancellationToken);
        if (result is NotFetched { NotFound: true } notFound)
        {
            if (refreshedLately)
            {
                return NotFetched.Fail(notFound.Reason, $"{notFound.Message} for the URL refreshed at {row.RefreshedAt:u}");
            }
            if (refreshable)
            {
                if (DateTimeOffset.UtcNow - row.EnqueuedAt < _options.NotFoundRetryWindow)
                {
                    // Retried within the window as any 404; the window's end is judged here, where a fresh URL can follow.
                    return notFound with { NotFound = false };
                }
                var why = $"{notFound.Message} for longer than CallPush__Recordings__NotFoundRetryWindow";
                return await RefreshAndFetchAsync(row, url, tempFile, why, cancellationToken) ?? result;
            }
        }
        return result;
    }

    /// <summary>The fresh URL's outcome, or null when the file cannot be refreshed (the pushed URL's outcome stands).</summary>
    private async Task<FetchResult?> RefreshAndFetchAsync(ClaimedRecording row, Uri pushedUrl, string tempFile, string why,
        CancellationToken cancellationToken)
    {
        var refresh = await refresher.RefreshAsync(row, cancellationToken);
        if (refresh is not RefreshedUrl fresh)
        {
            return refresh is NotFetched notFetched ? notFetched with { Message = $"{why}; no fresh URL: {notFetched.Message}" } : refresh;
        }
        await queue.SaveRefreshedUrlAsync(row, fresh.Url.OriginalString, fresh.RequestId, cancellationToken);
        metrics.UrlRefreshed();
        RecordingArchiveLog.UrlRefreshed(logger, row.Id, row.SessionId, why, fresh.Source, fresh.Url.Host, fresh.RequestId);
        var result = await FetchAndStoreAsync(row, fresh.Url, pushedUrl, tempFile, cancellationToken);
        return result is NotFetched { NotFound: true } notFound
            ? NotFetched.Fail(notFound.Reason, $"{why}; the fresh URL failed too: {notFound.Message}")
            : result;
    }

    /// <summary>Fetches <paramref name="url"/> and stores the file under the key the pushed URL names.</summary>
    private async Task<FetchResult> FetchAndStoreAsync(ClaimedRecording row, Uri url, Uri pushedUrl, string tempFile, CancellationToken cancellationToken)
    {
        var fetched = await fetcher.FetchAsync(url, tempFile, cancellationToken);
        if (fetched is not Downloaded downloaded)
        {
            return fetched;
        }
        var duration = Mp3Duration.Of(tempFile);
        var contentType = downloaded.ContentType switch
        {
            null or "application/octet-stream" or "binary/octet-stream" when duration is not null => "audio/mpeg",
            null => "application/octet-stream",
            var named => named,
        };
        var key = RecordingStorageKey.For(row.SdkAppId, row.SessionId, row.Kind, row.RecordId, row.EndpointUser, row.RecordedAt, row.EnqueuedAt, pushedUrl);
        try
        {
            await storage.SaveAsync(key, tempFile, contentType, downloaded.Sha256, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return NotFetched.Later("storage", "storage: " + e.Message);
        }
        return new Stored(downloaded with { ContentType = contentType }, duration, key);
    }

    private async Task<string> RecordAsync(ClaimedRecording row, string host, FetchResult result)
    {
        using var write = new CancellationTokenSource(OutcomeWriteTimeout);
        switch (result)
        {
            case Stored stored:
                await queue.ArchivedAsync(row, stored.File.Size, stored.File.Sha256, stored.File.ContentType!, stored.Duration, stored.Key, write.Token);
                metrics.Archived(stored.File.Size);
                RecordingArchiveLog.Archived(logger, row.Id, host, stored.File.Size, stored.Key);
                return RecordingFile.Archived;

            case NotFetched { Retry: true } later:
                metrics.Failure(later.Reason);
                var age = DateTimeOffset.UtcNow - row.EnqueuedAt;
                var delay = Backoff(row.Attempts);
                if (later.RetryAfter > delay)
                {
                    delay = later.RetryAfter.Value;
                }
                if (later.NotFound && age >= _options.NotFoundRetryWindow)
                {
                    return await FailAsync(row, host, later.Reason, $"{later.Message} for longer than CallPush__Recordings__NotFoundRetryWindow", write.Token);
                }
                if (age + delay >= _options.MaxAge)
                {
                    metrics.Failure("max_age");
                    return await FailAsync(row, host, "max_age", $"not archived within CallPush__Recordings__MaxAge: {later.Message}", write.Token);
                }
                await queue.RetryAsync(row, delay, later.Message, write.Token);
                RecordingArchiveLog.RetryScheduled(logger, row.Id, host, later.Reason, later.Message, delay);
                return RecordingFile.Pending;

            case NotFetched failed:
                metrics.Failure(failed.Reason);
                return await FailAsync(row, host, failed.Reason, failed.Message, write.Token);

            default:
                throw new UnreachableException();
        }
    }

    private async Task<string> FailAsync(ClaimedRecording row, string host, string reason, string message, CancellationToken cancellationToken)
    {
        await queue.FailedAsync(row, message, cancellationToken);
        RecordingArchiveLog.Failed(logger, row.Id, host, reason, message);
        return RecordingFile.Failed;
    }

    /// <summary>RetryDelay doubled for each attempt made, at most an hour, spread by ±20 % so that retries of many files do not come in step.</summary>
    private TimeSpan Backoff(int attempts)
    {
        var exponential = _options.RetryDelay.TotalSeconds * Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var seconds = Math.Min(exponential, MaxBackoff.TotalSeconds) * (0.8 + 0.4 * Random.Shared.NextDouble());
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// Downloads left by a process that was killed. Replicas may share the folder, so only files older than a lease go:
    /// no attempt lasts that long.
    /// </summary>
    private void DeleteAbandonedDownloads()
    {
        if (!Directory.Exists(TempFolder))
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(TempFolder, "recording-*.download"))
        {
            if (DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > Lease)
            {
                TryDelete(file);
            }
        }
    }

    private string TempFolder => Path.Combine(_options.TempPath ?? Path.GetTempPath(), "callpush-recordings");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed record Stored(Downloaded File, double? Duration, string Key) : FetchResult;
}
