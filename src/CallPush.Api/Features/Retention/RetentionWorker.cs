using CallPush.Api.Diagnostics;
using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Retention;

/// <summary>Runs a purge round every <see cref="RetentionOptions.Interval"/> while an age is configured; idle otherwise.</summary>
internal sealed partial class RetentionWorker(PushLogPurger purger, DatabaseState database, RetentionMetrics metrics,
    IOptions<RetentionOptions> options, ILogger<RetentionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!purger.Enabled)
        {
            return;
        }
        while (!database.SchemaIsCurrent)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken);
        }
        using var timer = new PeriodicTimer(options.Value.Interval);
        do
        {
            try
            {
                if (await purger.TryPurgeAsync(dryRun: false, stoppingToken) is { Purged: > 0 } result)
                {
                    metrics.Purged(result.Purged);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogRoundFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A purge round of push_log failed; the next round tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
