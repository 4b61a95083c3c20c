using System.Diagnostics;
using System.Text.Json;
using CallPush.Simulator.Manifest;
using CallPush.Simulator.Sending;
using CallPush.Simulator.Sessions;

namespace CallPush.Simulator.Load;

internal sealed record LoadOptions
{
    /// <summary>Closed loop: this many sessions in flight, each starting when one finishes.</summary>
    public int? Concurrency { get; init; }

    /// <summary>Open loop: sessions started per second, whatever the answers' latency (capped by MaxInFlight).</summary>
    public double? Rate { get; init; }

    public TimeSpan? Duration { get; init; }
    public int? Count { get; init; }
    public int MaxInFlight { get; init; } = 1000;
    public FaultOptions Faults { get; init; } = FaultOptions.None;
    public int? Seed { get; init; }
}

/// <summary>Generates sessions and delivers them at a rate or a concurrency, for a duration or a count.</summary>
internal sealed class LoadRunner(PushClient client, SessionGenerator generator, LoadOptions options, ManifestWriter? manifest)
{
    private readonly LoadStatistics _statistics = new();
    private readonly SessionDelivery _delivery = new(client, options.Faults);

    /// <summary>Where every generated session's CDR goes, sent or dropped: the platform's own record of the calls.</summary>
    public ManifestWriter? PlatformCdrs { get; init; }
    private readonly Lock _generatorLock = new();
    private readonly Random _seeds = options.Seed is { } seed ? new Random(seed) : new Random();
    private int _inFlight;

    public async Task<LoadReport> RunAsync(Action<LoadSnapshot>? progress, TimeSpan progressInterval, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Duration is { } duration)
        {
            stop.CancelAfter(duration);
        }
        using var ticker = progress is null ? null : new Timer(_ => progress(_statistics.Snapshot(clock.Elapsed, Volatile.Read(ref _inFlight))),
            null, progressInterval, progressInterval);

        var remaining = options.Count ?? int.MaxValue;
        // Sessions in flight finish on the caller's token, not on the duration's: a push begun is answered or retried out.
        if (options.Rate is { } rate)
        {
            await RunAtRateAsync(rate, () => Interlocked.Decrement(ref remaining) >= 0, stop.Token, cancellationToken);
        }
        else
        {
            var workers = Enumerable.Range(0, Math.Max(1, options.Concurrency ?? 1))
                .Select(_ => Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested && Interlocked.Decrement(ref remaining) >= 0)
                    {
                        await RunSessionAsync(cancellationToken);
                    }
                }, CancellationToken.None));
            await Task.WhenAll(workers);
        }
        clock.Stop();
        progress?.Invoke(_statistics.Snapshot(clock.Elapsed, 0));
        return _statistics.Report(clock.Elapsed);
    }

    private async Task RunAtRateAsync(double rate, Func<bool> take, CancellationToken stop, CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        var slots = new SemaphoreSlim(options.MaxInFlight);
        var clock = Stopwatch.StartNew();
        long started = 0;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        try
        {
            while (!stop.IsCancellationRequested)
            {
                // Bounded by the duration on this loop's own clock: the stop timer may fire late on a busy machine.
                var elapsed = options.Duration is { } duration && clock.Elapsed > duration ? duration : clock.Elapsed;
                var due = Math.Min((long)(elapsed.TotalSeconds * rate) + 1, options.Duration is { } d ? (long)Math.Ceiling(d.TotalSeconds * rate) : long.MaxValue);
                for (; started < due; started++)
                {
                    if (!take())
                    {
                        await Task.WhenAll(running);
                        return;
                    }
                    await slots.WaitAsync(stop);
                    running.Add(Task.Run(async () =>
                    {
                        try
                        {
                            await RunSessionAsync(cancellationToken);
                        }
                        finally
                        {
                            slots.Release();
                        }
                    }, CancellationToken.None));
                }
                running.RemoveAll(t => t.IsCompleted);
                await tick.WaitForNextTickAsync(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        await Task.WhenAll(running);
    }

    private async Task RunSessionAsync(CancellationToken cancellationToken)
    {
        SimulatedSession session;
        Random random;
        lock (_generatorLock)
        {
            session = generator.Next();
            random = new Random(_seeds.Next());
        }
        _statistics.SessionStarted();
        Interlocked.Increment(ref _inFlight);
        try
        {
            var delivered = await _delivery.DeliverAsync(session, random, cancellationToken);
            _statistics.Record(delivered);
            manifest?.Write(delivered.ToManifest());
            PlatformCdrs?.WriteLine(JsonSerializer.Serialize(session.Cdr, PushBodyJson.Default.CdrBody));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Interrupted (Ctrl+C): a session cut short is neither counted nor written to the manifest.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
