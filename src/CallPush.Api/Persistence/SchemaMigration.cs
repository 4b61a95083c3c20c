using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CallPush.Api.Persistence;

/// <summary>Applies pending migrations; safe when several processes do it on one database at the same moment.</summary>
internal static class SchemaMigration
{
    // Any constant that no other application on the database uses for an advisory lock.
    private const long LockKey = 0x43_61_6C_6C_50_75_73_68; // "CallPush"

    /// <summary>Returns the migrations this call applied (none when another process had already applied them).</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(CallPushDbContext context, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        // EF Core's own migration lock lasts one migration's transaction, so with two migrations pending two processes
        // can interleave and both create the second migration's tables (42P07). One session-level advisory lock held
        // for the whole run serializes them; whoever waited then finds nothing pending.
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        // The wait lasts as long as the other process's migrations, which can exceed the 30 s command timeout on a
        // busy machine; the wait ends with the caller's cancellation instead.
        await using (var acquire = new NpgsqlCommand($"SELECT pg_advisory_lock({LockKey})", lockConnection) { CommandTimeout = 0 })
        {
            await acquire.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                await context.Database.MigrateAsync(cancellationToken);
            }
            return pending;
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", lockConnection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
