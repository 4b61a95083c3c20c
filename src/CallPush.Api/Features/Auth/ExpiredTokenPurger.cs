using CallPush.Api.Persistence;
using Npgsql;

namespace CallPush.Api.Features.Auth;

/// <summary>Removes expired tokens every few minutes; safe on several replicas at once.</summary>
internal sealed partial class ExpiredTokenPurger(
    AccessTokenStore store,
    DatabaseState database,
    TimeProvider time,
    ILogger<ExpiredTokenPurger> logger) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            if (!database.SchemaIsCurrent)
            {
                continue;
            }
            try
            {
                var deleted = await store.PurgeExpiredAsync(stoppingToken);
                if (deleted > 0)
                {
                    LogPurged(logger, deleted);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                LogPurgeFailed(logger, e);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired access token(s)")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not purge expired access tokens; trying again later")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
