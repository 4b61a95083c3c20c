using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CallPush.Api.Diagnostics;

/// <summary>The data exports' instruments on the <c>CallPush</c> meter, and their spans on the <c>CallPush</c> source.</summary>
public sealed class ExportMetrics
{
    private static readonly ActivitySource Source = new(CallPushTracing.SourceName);

    private readonly Counter<long> _rows;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _files;
    private readonly Counter<long> _runs;
    private readonly Counter<long> _failures;
    private readonly Histogram<double> _duration;

    public ExportMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(CallPushMetrics.MeterName);
        _rows = meter.CreateCounter<long>("callpush.exports.rows", "{row}", "Rows written to export files.");
        _bytes = meter.CreateCounter<long>("callpush.exports.bytes", "By", "Bytes of the export files written.");
        _files = meter.CreateCounter<long>("callpush.exports.files", "{file}", "Export files delivered, by outcome.");
        _runs = meter.CreateCounter<long>("callpush.exports.runs", "{run}", "Export runs finished, by status.");
        _failures = meter.CreateCounter<long>("callpush.exports.failures", "{run}", "Export runs that did not end in success, by status.");
        _duration = meter.CreateHistogram<double>("callpush.exports.run.duration", "s", "Time from a run's start to its end.");
    }

    public void FileWritten(string container, long rows, long bytes)
    {
        var tag = new KeyValuePair<string, object?>("callpush.export.container", container);
        _rows.Add(rows, tag);
        _bytes.Add(bytes, tag);
    }

    public void FileDelivered(bool delivered) => _files.Add(1, new KeyValuePair<string, object?>("callpush.outcome", delivered ? "delivered" : "failed"));

    public void RunFinished(string status, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("callpush.export.status", status);
        _runs.Add(1, tag);
        if (status != "success")
        {
            _failures.Add(1, tag);
        }
        _duration.Record(elapsed.TotalSeconds, tag);
    }

    public static Activity? StartRun(long runId, long jobId, string triggeredBy)
    {
        var activity = Source.StartActivity("export run");
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("callpush.export.run_id", runId);
            activity.SetTag("callpush.export.job_id", jobId);
            activity.SetTag("callpush.export.triggered_by", triggeredBy);
        }
        return activity;
    }

    public static Activity? StartFile(string path, string container, long tenant)
    {
        var activity = Source.StartActivity("export file");
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("callpush.export.path", path);
            activity.SetTag("callpush.export.container", container);
            activity.SetTag("callpush.sdk_app_id", tenant);
        }
        return activity;
    }
}
