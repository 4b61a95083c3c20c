using System.Text.RegularExpressions;
using CallPush.Api.Persistence.Migrations;
using Npgsql;
using NpgsqlTypes;

namespace CallPush.Api.Features.Tenants;

internal sealed record TenantReaderListing(string Role, string Source, long[] SdkAppIds);

/// <summary>Thrown when a role cannot be made a tenant reader; the message says why.</summary>
internal sealed class TenantReaderException(string message) : Exception(message);

/// <summary>
/// Tenant reader roles: members of <see cref="TenantReaderSql.GroupRole"/> that row-level security lets see only the rows of
/// the SdkAppIds <c>tenant_reader_grants</c> gives them. Runs on the service's connection (needs CREATEROLE).
/// </summary>
internal static partial class TenantReaderRoles
{
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    public static partial Regex RoleName();

    /// <summary>
    /// Gives <paramref name="role"/> the rows of <paramref name="source"/>'s SdkAppIds, replacing what it had of that source.
    /// The role is created (NOLOGIN) when it does not exist.
    /// </summary>
    public static async Task GrantAsync(NpgsqlDataSource database, string role, string source, IReadOnlyCollection<long> sdkAppIds,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await MakeTenantReaderAsync(connection, transaction, role, login: false, cancellationToken);
        await using (var replace = new NpgsqlBatch(connection, transaction))
        {
            replace.BatchCommands.Add(Command("DELETE FROM tenant_reader_grants WHERE role_name = $1 AND source = $2", role, source));
            replace.BatchCommands.Add(Command(
                "INSERT INTO tenant_reader_grants (role_name, source, sdk_app_id, granted_at) SELECT $1, $2, unnest($3::bigint[]), now()",
                role, source, sdkAppIds.ToArray()));
            await replace.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Makes <paramref name="role"/> a tenant reader of exactly these sources' SdkAppIds (the statistics channel's own logins).
    /// </summary>
    public static async Task ReplaceAsync(NpgsqlDataSource database, string role, IReadOnlyCollection<(string Source, long SdkAppId)> grants,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await MakeTenantReaderAsync(connection, transaction, role, login: true, cancellationToken);
        await using (var replace = new NpgsqlBatch(connection, transaction))
        {
            replace.BatchCommands.Add(Command("DELETE FROM tenant_reader_grants WHERE role_name = $1", role));
            replace.BatchCommands.Add(Command("""
                INSERT INTO tenant_reader_grants (role_name, source, sdk_app_id, granted_at)
                SELECT $1, s, id, now() FROM unnest($2::text[], $3::bigint[]) AS g(s, id) ON CONFLICT DO NOTHING
                """, role, grants.Select(g => g.Source).ToArray(), grants.Select(g => g.SdkAppId).ToArray()));
            await replace.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Takes a source (or all) away from the role; the role leaves the tenant readers with its last source. False: it had none.</summary>
    public static async Task<bool> RevokeAsync(NpgsqlDataSource database, string role, string? source, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        int deleted;
        await using (var delete = new NpgsqlCommand("DELETE FROM tenant_reader_grants WHERE role_name = $1 AND ($2::text IS NULL OR source = $2)",
            connection, transaction))
        {
            delete.Parameters.Add(new NpgsqlParameter { Value = role });
            delete.Parameters.Add(new NpgsqlParameter { Value = (object?)source ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            deleted = await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var leave = new NpgsqlCommand($"""
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM tenant_reader_grants WHERE role_name = '{role}')
                   AND EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{role}') THEN
                    REVOKE {TenantReaderSql.GroupRole} FROM "{role}";
                END IF;
            END
            $$
            """, connection, transaction))
        {
            await leave.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    public static async Task<IReadOnlyList<TenantReaderListing>> ListAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            "SELECT role_name, source, array_agg(sdk_app_id ORDER BY sdk_app_id) FROM tenant_reader_grants GROUP BY 1, 2 ORDER BY 1, 2");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var listings = new List<TenantReaderListing>();
        while (await reader.ReadAsync(cancellationToken))
        {
            listings.Add(new TenantReaderListing(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<long[]>(2)));
        }
        return listings;
    }

    /// <summary>
    /// Creates the role unless it exists and makes it a member of the tenant readers, refusing a role that would see every
    /// row anyway (a superuser, a role that bypasses row security, a member of the unrestricted reader role).
    /// </summary>
    private static async Task MakeTenantReaderAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string role, bool login,
        CancellationToken cancellationToken)
    {
        if (!RoleName().IsMatch(role))
        {
            throw new TenantReaderException($"'{role}' is not a role name CallPush manages: a lower-case SQL identifier (a-z, 0-9, _)");
        }
        // The role's name is checked above: it needs no escaping in the statements below, which take no parameters.
        await using (var create = new NpgsqlCommand($"""
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{role}') THEN
                    CREATE ROLE "{role}" {(login ? "LOGIN" : "NOLOGIN")};
                END IF;
            EXCEPTION
                WHEN duplicate_object OR unique_violation THEN NULL;
            END
            $$
            """, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var check = new NpgsqlCommand($"""
            SELECT
                (SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = '{TenantReaderSql.GroupRole}'),
                r.rolsuper OR r.rolbypassrls
                    OR EXISTS (SELECT FROM pg_catalog.pg_roles g WHERE g.rolname = '{ReaderRole.Name}' AND pg_catalog.pg_has_role(r.oid, g.oid, 'MEMBER'))
            FROM pg_catalog.pg_roles r WHERE r.rolname = $1
            """, connection, transaction))
        {
            check.Parameters.Add(new NpgsqlParameter { Value = role });
            await using var reader = await check.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt64(0) == 0)
            {
                throw new TenantReaderException(
                    $"role {TenantReaderSql.GroupRole} does not exist: run the migrations as a user with CREATEROLE, or create it as a DBA and migrate again");
            }
            if (reader.GetBoolean(1))
            {
                throw new TenantReaderException(
                    $"role {role} is a superuser, bypasses row security or is a member of {ReaderRole.Name}: it would see every row anyway");
            }
        }
        await using var grant = new NpgsqlCommand($"GRANT {TenantReaderSql.GroupRole} TO \"{role}\"", connection, transaction);
        await grant.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return command;
    }
}
