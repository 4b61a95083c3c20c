namespace CallPush.Api.Persistence.Migrations;

/// <summary>
/// The read-only role analysts are granted. Roles belong to the whole PostgreSQL cluster, so creation tolerates
/// a concurrent creator (several databases migrating at once) and a migrating user without CREATEROLE, which only
/// gets a notice: a DBA can create the role by hand and re-run the grants.
/// </summary>
internal static class ReaderRole
{
    public const string Name = "callpush_reader";

    public const string CreateSql = $"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{Name}') THEN
                CREATE ROLE {Name} NOLOGIN;
            END IF;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'role {Name} was not created: the migrating user lacks CREATEROLE';
        END
        $$;
        """;

    public static string GrantSql(IEnumerable<string> tables) => WhenRoleExists($"""
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO {Name}', current_schema());
        GRANT SELECT ON {string.Join(", ", tables)} TO {Name};
        """);

    public static string RevokeSql(IEnumerable<string> tables) =>
        WhenRoleExists($"REVOKE SELECT ON {string.Join(", ", tables)} FROM {Name};");

    private static string WhenRoleExists(string statements) => $"""
        DO $$
        BEGIN
            IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{Name}') THEN
                {statements}
            END IF;
        END
        $$;
        """;
}
