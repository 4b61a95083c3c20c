using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CallPush.Api.Diagnostics;

/// <summary>How a push ended, as counted in <c>callpush.pushes</c> and tagged on its span.</summary>
public enum PushOutcome
{
    Stored,
    Duplicate,
    Rejected,
    Unauthorized,
    Failed,
}

/// <summary>
/// The <c>CallPush</c> meter. Instruments are cheap when nothing listens: tags are a stack-allocated
/// <see cref="TagList"/> of constant strings, so an unobserved push allocates nothing here.
/// </summary>
public sealed class CallPushMetrics
{
    public const string MeterName = "CallPush";

    private static readonly InstrumentAdvice<double> DurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    };

    private static readonly InstrumentAdvice<long> BodySizeAdvice = new()
    {
        HistogramBucketBoundaries = [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304],
    };

    private readonly Counter<long> _pushes;
    private readonly Histogram<double> _duration;
    private readonly Histogram<long> _bodySize;
    private readonly Counter<long> _dedupHits;
    private readonly Counter<long> _tokensIssued;
    private readonly Histogram<long> _groupSize;
    private readonly Histogram<double> _groupDuration;
    private readonly Counter<long> _queueFull;
    private readonly Counter<long> _groupSplits;

    public CallPushMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _pushes = meter.CreateCounter<long>("callpush.pushes", "{push}", "Pushes answered, by action and outcome.");
        _duration = meter.CreateHistogram("callpush.push.duration", "s",
            "Time from the start of a push request to its answer, body reading and storage included.", advice: DurationAdvice);
        _bodySize = meter.CreateHistogram("callpush.push.body.size", "By", "Size of the push bodies read.", advice: BodySizeAdvice);
        _dedupHits = meter.CreateCounter<long>("callpush.push.dedup_hits", "{push}",
            "Pushes that had been stored before (a re-push of the same X-TCCC-PUSH-UUID or body).");
        _tokensIssued = meter.CreateCounter<long>("callpush.auth.tokens_issued", "{token}", "Access tokens issued to push senders.");
        _groupSize = meter.CreateHistogram<long>("callpush.push.group.size", "{push}", "Pushes written together in one transaction by group commit.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [2, 4, 8, 16, 32, 64, 128, 256] });
        _groupDuration = meter.CreateHistogram("callpush.push.group.duration", "s", "Time to write one group of pushes.", advice: DurationAdvice);
        _queueFull = meter.CreateCounter<long>("callpush.push.queue_full", "{push}",
            "Pushes answered 503 at once because too many were waiting to be stored.");
        _groupSplits = meter.CreateCounter<long>("callpush.push.group.splits", "{group}",
            "Groups of pushes PostgreSQL refused, which were then written again push by push.");
    }

    /// <summary>
    /// Counts one answered push; <paramref name="duplicate"/> when it had been stored before, <paramref name="elapsed"/> null for
    /// a push refused before it was handled.
    /// </summary>
    public void PushAnswered(string action, PushOutcome outcome, bool duplicate, TimeSpan? elapsed)
    {
        var tags = new TagList { { "callpush.action", action }, { "callpush.outcome", OutcomeName(outcome) } };
        _pushes.Add(1, tags);
        if (elapsed is { } duration)
        {
            _duration.Record(duration.TotalSeconds, tags);
        }
        if (duplicate)
        {
            _dedupHits.Add(1, new KeyValuePair<string, object?>("callpush.action", action));
        }
    }

    public void BodyRead(string action, int bytes) =>
        _bodySize.Record(bytes, new KeyValuePair<string, object?>("callpush.action", action));

    /// <summary>Called by the authentication feature each time it issues an access token.</summary>
    public void TokenIssued() => _tokensIssued.Add(1);

    public static string OutcomeName(PushOutcome outcome) => outcome switch
    {
        PushOutcome.Stored => "stored",
        PushOutcome.Duplicate => "duplicate",
        PushOutcome.Rejected => "rejected",
        PushOutcome.Unauthorized => "unauthorized",
        _ => "failed",
    };

    public void PushGroupWritten(int size, TimeSpan elapsed)
    {
        _groupSize.Record(size);
        _groupDuration.Record(elapsed.TotalSeconds);
    }

    public void PushQueueFull() => _queueFull.Add(1);

    public void PushGroupSplit() => _groupSplits.Add(1);
}
