using System.Security.Cryptography;
using CallPush.Api.Persistence.Migrations;
using Npgsql;

namespace CallPush.Api.Features.StatisticsChannel;

/// <summary>The login role the channel's statements run as: created when the service manages it, checked in every case.</summary>
internal static class StatisticsLoginRole
{
    /// <summary>Roles whose members can read or write every table, or reach the server's files and programs.</summary>
    private static readonly string[] DangerousPredefinedRoles =
        ["pg_read_all_data", "pg_write_all_data", "pg_read_server_files", "pg_write_server_files", "pg_execute_server_program"];

    /// <summary>Tables holding credentials: a channel role that can read them is refused.</summary>
    private static readonly string[] SecretTables = ["api_keys", "oauth_access_tokens"];

    /// <summary>
    /// Creates the role unless it exists, and (re)sets what makes it safe: login with a new password, no special attributes,
    /// inheriting the grants of <paramref name="readerRole"/> (callpush_reader, or the tenant readers' group for a login
    /// limited to some sources), read-only by default. Runs on the service's own connection (needs CREATEROLE).
    /// Returns the new password.
    /// </summary>
    public static async Task<string> EnsureAsync(NpgsqlDataSource serviceDatabase, string role, string readerRole, int connectionLimit,
        TimeSpan statementTimeout, CancellationToken cancellationToken)
    {
        // Hex only, so the literal below needs no escaping; ALTER ROLE takes no parameters.
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await using var batch = serviceDatabase.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{role}') THEN
                    CREATE ROLE "{role}" LOGIN;
                END IF;
            EXCEPTION
                WHEN duplicate_object OR unique_violation THEN NULL;
            END
            $$
            """));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"ALTER ROLE \"{role}\" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT {connectionLimit} PASSWORD '{password}'"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"GRANT {readerRole} TO \"{role}\""));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"ALTER ROLE \"{role}\" SET default_transaction_read_only = on"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"ALTER ROLE \"{role}\" SET statement_timeout = {(long)statementTimeout.TotalMilliseconds}"));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return password;
    }

    /// <summary>
    /// What makes the role the channel logged in as unfit, checked over every role it is a member of (directly or not,
    /// inherited or only reachable with SET ROLE): an empty list when it may run analysts' statements. With
    /// <paramref name="tenantSdkAppIds"/>, the login must be a tenant reader that sees no other SdkAppIds and cannot reach
    /// callpush_reader, even with SET ROLE.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ProblemsAsync(NpgsqlConnection connection, long[]? tenantSdkAppIds,
        CancellationToken cancellationToken)
    {
        var readerCheck = tenantSdkAppIds is null
            ? $"""
                SELECT format('%s does not inherit the grants of {ReaderRole.Name} (it must be a member, with INHERIT)', current_user)
                WHERE CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{ReaderRole.Name}')
                    THEN NOT pg_has_role(current_user, '{ReaderRole.Name}', 'USAGE') ELSE true END
                """
            : $"""
                SELECT format('%s can reach {ReaderRole.Name}, which sees every row', current_user)
                WHERE EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{ReaderRole.Name}')
                  AND pg_has_role(current_user, '{ReaderRole.Name}', 'MEMBER')
                UNION ALL
                SELECT format('%s does not inherit the grants of {TenantReaderSql.GroupRole} (it must be a member, with INHERIT)', current_user)
                WHERE CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{TenantReaderSql.GroupRole}')
                    THEN NOT pg_has_role(current_user, '{TenantReaderSql.GroupRole}', 'USAGE') ELSE true END
                UNION ALL
                SELECT format('%s sees SdkAppIds beyond its sources: %s', current_user, callpush_tenant_sdk_app_ids())
                WHERE has_function_privilege('callpush_tenant_sdk_app_ids()', 'EXECUTE')
                  AND NOT callpush_tenant_sdk_app_ids() <@ $3::bigint[]
                """;
        await using var command = new NpgsqlCommand($"""
            WITH RECURSIVE reachable(oid) AS (
                SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user
                UNION
                SELECT m.roleid FROM pg_catalog.pg_auth_members m JOIN reachable r ON m.member = r.oid
            ),
            roles AS (SELECT p.* FROM pg_catalog.pg_roles p JOIN reachable r ON r.oid = p.oid)
            SELECT format('role %s is a superuser or may create roles or databases, replicate or bypass row security', rolname)
            FROM roles WHERE rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls
            UNION ALL
            SELECT format('%s is a member of %s', current_user, rolname) FROM roles WHERE rolname = ANY ($1)
            UNION ALL
            SELECT format('role %s may change table %s', r.rolname, c.oid::regclass)
            FROM roles r CROSS JOIN pg_catalog.pg_class c
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND has_table_privilege(r.oid, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
              -- Everyone may UPDATE the pg_settings view: it is SET, undone with the transaction.
              AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
            UNION ALL
            SELECT format('role %s may read table %s, which holds credentials', r.rolname, c.oid::regclass)
            FROM roles r CROSS JOIN pg_catalog.pg_class c
            WHERE c.oid = ANY (SELECT to_regclass(t) FROM unnest($2::text[]) t) AND has_table_privilege(r.oid, c.oid, 'SELECT')
            UNION ALL
            {readerCheck}
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = DangerousPredefinedRoles });
        command.Parameters.Add(new NpgsqlParameter { Value = SecretTables });
        if (tenantSdkAppIds is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tenantSdkAppIds });
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var problems = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            problems.Add(reader.GetString(0));
        }
        return problems;
    }
}
