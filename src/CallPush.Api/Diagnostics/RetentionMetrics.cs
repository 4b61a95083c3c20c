using System.Diagnostics.Metrics;

namespace CallPush.Api.Diagnostics;

/// <summary>The retention purge's counter, on the CallPush meter.</summary>
public sealed class RetentionMetrics
{
    private readonly Counter<long> _purged;

    public RetentionMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(CallPushMetrics.MeterName);
        _purged = meter.CreateCounter<long>("callpush.retention.purged", "{row}", "push_log rows deleted by the retention purge.");
    }

    public void Purged(long rows) => _purged.Add(rows);
}
