using System.Collections.Concurrent;
using CallPush.Simulator.Sending;

namespace CallPush.Simulator.Load;

/// <summary>A moment of a running load, for the progress display.</summary>
internal sealed record LoadSnapshot(TimeSpan Elapsed, long SessionsStarted, long SessionsDone, long PushesAcknowledged, long PushesFailed, long Attempts, int InFlight);

/// <summary>What a load run measured. Latencies are per delivery (one HTTP request and its answer).</summary>
internal sealed record LoadReport(
    TimeSpan Elapsed,
    long Sessions,
    long Pushes,
    long PushesAcknowledged,
    long PushesFailed,
    long Attempts,
    double P50Milliseconds,
    double P95Milliseconds,
    double P99Milliseconds,
    double MaxMilliseconds,
    IReadOnlyDictionary<string, long> Outcomes)
{
    public double PushesPerSecond => Elapsed > TimeSpan.Zero ? PushesAcknowledged / Elapsed.TotalSeconds : 0;
    public double AttemptsPerSecond => Elapsed > TimeSpan.Zero ? Attempts / Elapsed.TotalSeconds : 0;
    public double SessionsPerSecond => Elapsed > TimeSpan.Zero ? Sessions / Elapsed.TotalSeconds : 0;
}

internal sealed class LoadStatistics
{
    public const string DroppedOutcome = "dropped before sending (--drop)";

    private readonly ConcurrentDictionary<string, long> _outcomes = new(StringComparer.Ordinal);
    private readonly List<double> _latencies = new(1 << 16);
    private readonly Lock _lock = new();
    private long _sessionsStarted;
    private long _sessionsDone;
    private long _pushes;
    private long _acknowledged;
    private long _failed;
    private long _attempts;

    public void SessionStarted() => Interlocked.Increment(ref _sessionsStarted);

    public void Record(DeliveredSession delivered)
    {
        foreach (var delivery in delivered.Deliveries)
        {
            if (delivery.Dropped)
            {
                _outcomes.AddOrUpdate(DroppedOutcome, 1, static (_, n) => n + 1);
                continue;
            }
            Interlocked.Increment(ref _pushes);
            Interlocked.Increment(ref delivery.Acknowledged ? ref _acknowledged : ref _failed);
            Interlocked.Add(ref _attempts, delivery.Attempts.Count);
            foreach (var attempt in delivery.Attempts)
            {
                _outcomes.AddOrUpdate(attempt.Outcome, 1, static (_, n) => n + 1);
            }
            lock (_lock)
            {
                foreach (var attempt in delivery.Attempts)
                {
                    _latencies.Add(attempt.Latency.TotalMilliseconds);
                }
            }
        }
        Interlocked.Increment(ref _sessionsDone);
    }

    public LoadSnapshot Snapshot(TimeSpan elapsed, int inFlight) => new(elapsed, Interlocked.Read(ref _sessionsStarted),
        Interlocked.Read(ref _sessionsDone), Interlocked.Read(ref _acknowledged), Interlocked.Read(ref _failed),
        Interlocked.Read(ref _attempts), inFlight);

    public LoadReport Report(TimeSpan elapsed)
    {
        double[] sorted;
        lock (_lock)
        {
            sorted = [.. _latencies];
        }
        Array.Sort(sorted);
        return new LoadReport(elapsed, Interlocked.Read(ref _sessionsDone), Interlocked.Read(ref _pushes),
            Interlocked.Read(ref _acknowledged), Interlocked.Read(ref _failed), Interlocked.Read(ref _attempts),
            Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99), sorted.Length > 0 ? sorted[^1] : 0,
            new SortedDictionary<string, long>(_outcomes, StringComparer.Ordinal));
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
