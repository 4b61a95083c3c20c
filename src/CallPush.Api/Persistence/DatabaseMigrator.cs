using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Persistence;

/// <summary>
/// Brings the schema up to date in the background, retrying until the database is reachable, so the service
/// starts (and reports not-ready) even while its database is still coming up.
/// </summary>
internal sealed partial class DatabaseMigrator(
    IServiceScopeFactory scopes,
    DatabaseState state,
    IOptions<DatabaseOptions> options,
    ILogger<DatabaseMigrator> logger) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var context = scope.ServiceProvider.GetRequiredService<CallPushDbContext>();
                if (options.Value.MigrateOnStartup)
                {
                    await SchemaMigration.MigrateAsync(context, scope.ServiceProvider.GetRequiredService<Npgsql.NpgsqlDataSource>(), stoppingToken);
                }
                var pending = (await context.Database.GetPendingMigrationsAsync(stoppingToken)).ToList();
                if (pending.Count == 0)
                {
                    state.MarkSchemaCurrent();
                    LogSchemaReady(logger, options.Value.MigrateOnStartup);
                    return;
                }
                LogSchemaBehind(logger, pending.Count, string.Join(", ", pending));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogMigrationFailed(logger, e, delay.TotalSeconds);
            }
            await Task.Delay(delay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is current (migrate on start-up: {MigrateOnStartup})")]
    private static partial void LogSchemaReady(ILogger logger, bool migrateOnStartup);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Database schema is behind by {Count} migration(s) ({Migrations}) and CallPush__Database__MigrateOnStartup is false: run the migrations; pushes are answered 503 until then")]
    private static partial void LogSchemaBehind(ILogger logger, int count, string migrations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not bring the database schema up to date; trying again in {DelaySeconds} s")]
    private static partial void LogMigrationFailed(ILogger logger, Exception exception, double delaySeconds);
}
