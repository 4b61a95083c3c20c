using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Statistics;

/// <summary>
/// Keeps the statistics intervals current: recomputes the intervals that pushes marked as changed, a batch per
/// transaction, at once while there is a backlog and every <see cref="StatisticsOptions.PollInterval"/> otherwise.
/// One replica works at a time (an advisory lock); the others find it busy and wait for the next poll.
/// </summary>
internal sealed partial class StatisticsWorker(
    StatisticsRecomputer recomputer,
    DatabaseState database,
    IOptions<StatisticsOptions> options,
    ILogger<StatisticsWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!database.SchemaIsCurrent)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken);
        }

        var pollInterval = options.Value.PollInterval;
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pass = await recomputer.ProcessDirtyAsync(stoppingToken);
                if (failing)
                {
                    failing = false;
                    Recovered(logger);
                }
                if (!pass.Busy && pass.Taken == options.Value.BatchSize)
                {
                    continue;
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (!failing)
                {
                    failing = true;
                    PassFailed(logger, e);
                }
            }
            await Task.Delay(pollInterval, stoppingToken);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Statistics could not be brought up to date; the changed intervals stay queued and are retried")]
    private static partial void PassFailed(ILogger logger, Exception exception);

    [LoggerMessage(2, LogLevel.Information, "Statistics are being brought up to date again")]
    private static partial void Recovered(ILogger logger);
}
