using CallPush.Api.Persistence;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace CallPush.Api.Diagnostics;

/// <summary>Ready means migrated and reachable now.</summary>
internal sealed class DatabaseReadyCheck(DatabaseState state, NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.SchemaIsCurrent)
        {
            return HealthCheckResult.Unhealthy("database schema is not migrated yet");
        }
        // A pooled connection that died with the old server fails once; a fresh one tells the truth.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (DatabaseFailure.IsUnavailable(e) || e is OperationCanceledException)
            {
                if (attempt == 2 || e is not NpgsqlException { IsTransient: true } || cancellationToken.IsCancellationRequested)
                {
                    return HealthCheckResult.Unhealthy("database is unreachable");
                }
                dataSource.Clear();
            }
        }
    }
}
