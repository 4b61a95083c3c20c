using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CallPush.Api.Diagnostics;

/// <summary>The recording archive's instruments, on the <c>CallPush</c> meter.</summary>
public sealed class RecordingArchiveMetrics
{
    private static readonly InstrumentAdvice<double> FetchDurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    };

    private static readonly ActivitySource Source = new(CallPushTracing.SourceName);

    private readonly Counter<long> _archived;
    private readonly Counter<long> _archivedBytes;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _urlsRefreshed;
    private readonly Histogram<double> _fetchDuration;
    private long _queueDepth;
    private double _oldestPendingAgeSeconds;

    public RecordingArchiveMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(CallPushMetrics.MeterName);
        _archived = meter.CreateCounter<long>("callpush.recordings.archived", "{file}", "Recording files archived.");
        _archivedBytes = meter.CreateCounter<long>("callpush.recordings.archived.bytes", "By", "Bytes of the recording files archived.");
        _failures = meter.CreateCounter<long>("callpush.recordings.failures", "{attempt}",
            "Recording fetches that did not archive the file (retried or failed for good), by reason.");
        _urlsRefreshed = meter.CreateCounter<long>("callpush.recordings.urls.refreshed", "{url}",
            "Fresh recording URLs the platform's DescribeSessionDetail gave for pushed URLs that no longer worked.");
        _fetchDuration = meter.CreateHistogram("callpush.recordings.fetch.duration", "s",
            "Time to fetch and store one recording file, successful or not.", advice: FetchDurationAdvice);
        meter.CreateObservableGauge("callpush.recordings.queue.depth", () => Volatile.Read(ref _queueDepth), "{file}",
            "Recording files waiting to be archived, as last counted by this replica.");
        meter.CreateObservableGauge("callpush.recordings.queue.oldest_pending_age", () => Volatile.Read(ref _oldestPendingAgeSeconds), "s",
            "Age of the oldest recording file waiting to be archived, as last measured by this replica.");
    }

    public void Archived(long bytes)
    {
        _archived.Add(1);
        _archivedBytes.Add(bytes);
    }

    public void Failure(string reason) => _failures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void UrlRefreshed() => _urlsRefreshed.Add(1);

    public void FetchDone(TimeSpan elapsed, string outcome) =>
        _fetchDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("callpush.outcome", outcome));

    public void QueueMeasured(long depth, double oldestPendingAgeSeconds)
    {
        Volatile.Write(ref _queueDepth, depth);
        Volatile.Write(ref _oldestPendingAgeSeconds, oldestPendingAgeSeconds);
    }

    /// <summary>A <c>recording fetch</c> span naming the row, its kind and the host (never the URL: signed URLs carry credentials).</summary>
    public static Activity? StartFetch(long id, long sdkAppId, string sessionId, string kind, string? host)
    {
        var activity = Source.StartActivity("recording fetch");
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("callpush.recording.id", id);
            activity.SetTag("callpush.sdk_app_id", sdkAppId);
            activity.SetTag("callpush.session_id", sessionId);
            activity.SetTag("callpush.recording.kind", kind);
            activity.SetTag("server.address", host);
        }
        return activity;
    }
}
