using System.Diagnostics;
using System.Threading.Channels;
using CallPush.Api.Diagnostics;
using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallPush.Api.Features.Push;

/// <summary>
/// Group commit: pushes that wait for the database at the same moment are written together, in one batch and so
/// one transaction and one commit, by a few writers. A push that finds nobody waiting and a writer free is written
/// at once on its own request's flow, so that a lone push never waits for company. Each push learns its own
/// outcome; a group that PostgreSQL refuses is written again push by push, so one bad push fails only itself.
/// </summary>
internal sealed partial class PushCommitter : BackgroundService
{
    private readonly PushStore _store;
    private readonly PushOptions _options;
    private readonly CallPushMetrics _metrics;
    private readonly ILogger<PushCommitter> _logger;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly SemaphoreSlim _writers;
    private int _waiting;
    private volatile bool _running;

    public PushCommitter(PushStore store, IOptions<PushOptions> options, CallPushMetrics metrics, ILogger<PushCommitter> logger)
    {
        _store = store;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _writers = new SemaphoreSlim(_options.Writers, _options.Writers);
    }

    /// <summary>Pushes waiting for a writer now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Stores the push, alone or in a group; false when it had been stored before.</summary>
    /// <exception cref="PushQueueFullException">Too many pushes are waiting already: the caller answers 503.</exception>
    public async Task<bool> StoreAsync(PushLogEntry log, PushContent? content, CancellationToken cancellationToken)
    {
        if (!_running || _options.MaxGroupSize == 1)
        {
            return await _store.StoreAsync(log, content, cancellationToken);
        }
        if (Volatile.Read(ref _waiting) == 0 && _writers.Wait(0, CancellationToken.None))
        {
            try
            {
                return await _store.StoreAsync(log, content, cancellationToken);
            }
            finally
            {
                _writers.Release();
            }
        }

        if (Interlocked.Increment(ref _waiting) > _options.QueueLimit)
        {
            Interlocked.Decrement(ref _waiting);
            _metrics.PushQueueFull();
            throw new PushQueueFullException();
        }
        var pending = new Pending(log, content);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _waiting);
            throw new PushQueueFullException();
        }
        // A push whose caller gave up (its storage timeout) is skipped if no writer has taken it yet.
        await using var registration = cancellationToken.Register(static p => ((Pending)p!).Outcome.TrySetCanceled(), pending);
        return await pending.Outcome.Task;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _running = true;
        return Task.WhenAll(Enumerable.Range(0, _options.Writers).Select(_ => Task.Run(WriteLoopAsync, CancellationToken.None)));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Pushes already queued are still written; the loops end when the queue is empty.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        _running = false;
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var group = new List<Pending>(_options.MaxGroupSize);
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            await _writers.WaitAsync(CancellationToken.None);
            try
            {
                group.Clear();
                Take(reader, group);
                if (_options.MaxGroupWait > TimeSpan.Zero && group.Count > 0 && group.Count < _options.MaxGroupSize)
                {
                    await WaitForCompanyAsync(reader, group);
                }
                if (group.Count > 0)
                {
                    await WriteAsync(group);
                }
            }
            catch (Exception e)
            {
                // Never leave a caller waiting, whatever happened.
                foreach (var pending in group)
                {
                    pending.Outcome.TrySetException(e);
                }
            }
            finally
            {
                _writers.Release();
            }
        }
    }

    private void Take(ChannelReader<Pending> reader, List<Pending> group)
    {
        while (group.Count < _options.MaxGroupSize && reader.TryRead(out var pending))
        {
            Interlocked.Decrement(ref _waiting);
            if (!pending.Outcome.Task.IsCompleted)
            {
                group.Add(pending);
            }
        }
    }

    private async Task WaitForCompanyAsync(ChannelReader<Pending> reader, List<Pending> group)
    {
        using var wait = new CancellationTokenSource(_options.MaxGroupWait);
        try
        {
            while (group.Count < _options.MaxGroupSize && await reader.WaitToReadAsync(wait.Token))
            {
                Take(reader, group);
            }
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(List<Pending> group)
    {
        using var timeout = new CancellationTokenSource(_options.StorageTimeout);
        if (group.Count == 1)
        {
            await WriteAloneAsync(group[0], timeout.Token);
            return;
        }

        // Pushes of one session keep their order (the newest EndedTimestamp rule breaks ties by order); sorting by
        // session makes two groups lock the same sessions in the same order, so they rarely deadlock.
        var ordered = group.OrderBy(p => p.Log.SdkAppId).ThenBy(p => p.Log.SessionId, StringComparer.Ordinal).ToList();
        var started = Stopwatch.GetTimestamp();
        try
        {
            var stored = await _store.StoreGroupAsync([.. ordered.Select(p => (p.Log, p.Content))], timeout.Token);
            _metrics.PushGroupWritten(ordered.Count, Stopwatch.GetElapsedTime(started));
            for (var i = 0; i < ordered.Count; i++)
            {
                ordered[i].Outcome.TrySetResult(stored[i]);
            }
        }
        catch (PostgresException e)
        {
            // A statement was refused (a value, a constraint, a deadlock): nothing of the group was stored. Each push
            // is written again alone, so that only the one at fault fails, with its own error.
            LogGroupSplit(_logger, ordered.Count, e.SqlState);
            _metrics.PushGroupSplit();
            foreach (var pending in ordered)
            {
                await WriteAloneAsync(pending, timeout.Token);
            }
        }
        catch (Exception e)
        {
            // The connection or the server failed: each caller's own retry policy decides what to do next.
            foreach (var pending in ordered)
            {
                pending.Outcome.TrySetException(e);
            }
        }
    }

    private async Task WriteAloneAsync(Pending pending, CancellationToken cancellationToken)
    {
        try
        {
            pending.Outcome.TrySetResult(await _store.StoreAsync(pending.Log, pending.Content, cancellationToken));
        }
        catch (Exception e)
        {
            pending.Outcome.TrySetException(e);
        }
    }

    private sealed class Pending(PushLogEntry log, PushContent? content)
    {
        public PushLogEntry Log { get; } = log;
        public PushContent? Content { get; } = content;
        public TaskCompletionSource<bool> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A group of {Count} pushes was refused ({SqlState}); writing each alone")]
    private static partial void LogGroupSplit(ILogger logger, int count, string sqlState);
}

/// <summary>More pushes are waiting for the database than <see cref="PushOptions.QueueLimit"/>: answered 503 with Retry-After.</summary>
internal sealed class PushQueueFullException() : Exception("too many pushes are waiting for the database");
