namespace CallPush.Api.Persistence.Migrations;

/// <summary>
/// Row-level security on <c>sdk_app_id</c> for tenant readers: roles that may read the analyst tables of some
/// contact-center instances only. <see cref="ReaderRole.Name"/> keeps seeing every row (a policy for it), the service
/// sees every row as the tables' owner (RLS is enabled, not forced), and members of <see cref="GroupRole"/> see the
/// rows of the SdkAppIds that <c>tenant_reader_grants</c> gives to their session's login. Tenant roles cannot read that
/// table: the lookup is a SECURITY DEFINER function, which knows the caller only as <c>session_user</c>; a SET ROLE
/// never widens what a session sees, since a login reaches no reader role it is not a member of.
/// </summary>
internal static class TenantReaderSql
{
    public const string GroupRole = "callpush_tenant_reader";

    /// <summary>Tables whose rows carry their own sdk_app_id.</summary>
    public static readonly string[] SdkAppIdTables =
    [
        "push_log", "call_sessions", "serve_participants", "agents", "skill_groups", "recordings", "voicemails", "recording_files",
        "recording_access_log", "stat_skill_group_intervals", "stat_agent_intervals", "stat_dirty_intervals",
    ];

    /// <summary>Tables whose rows belong to a tenant through another column, with the policy's condition.</summary>
    private static readonly (string Table, string Condition)[] OtherTables =
    [
        ("ivr_key_presses", "EXISTS (SELECT FROM call_sessions s WHERE s.id = ivr_key_presses.call_session_id "
            + "AND s.sdk_app_id IN (SELECT unnest(callpush_tenant_sdk_app_ids())))"),
        ("reconcile_runs", "source IN (SELECT unnest(callpush_tenant_sources()))"),
        ("export_jobs", "tenants <@ (SELECT callpush_tenant_sdk_app_ids())"),
        ("export_runs", "EXISTS (SELECT FROM export_jobs j WHERE j.id = export_runs.job_id "
            + "AND j.tenants <@ (SELECT callpush_tenant_sdk_app_ids()))"),
    ];

    /// <summary>The analysts' views: with security_invoker they read the tables as the reader, under its policies.</summary>
    public static readonly string[] Views = ["calls", "skill_group_day", "agent_day"];

    private static IEnumerable<(string Table, string Condition)> Policies =>
        SdkAppIdTables.Select(t => (t, "sdk_app_id IN (SELECT unnest(callpush_tenant_sdk_app_ids()))")).Concat(OtherTables);

    private static IEnumerable<string> TenantReadable => Policies.Select(p => p.Table).Concat(Views);

    // IN (SELECT unnest(...)) calls the lookup once per statement (a hashed subplan), not once per row.
    public static string Up => $$"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{{GroupRole}}') THEN
                CREATE ROLE {{GroupRole}} NOLOGIN;
            END IF;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'role {{GroupRole}} was not created: the migrating user lacks CREATEROLE';
        END
        $$;

        CREATE FUNCTION callpush_tenant_sdk_app_ids() RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER AS $f$
            SELECT coalesce(array_agg(DISTINCT g.sdk_app_id), '{}') FROM tenant_reader_grants g
            JOIN pg_catalog.pg_roles r ON r.rolname = g.role_name
            WHERE pg_catalog.pg_has_role(session_user, r.oid, 'USAGE')
        $f$;
        CREATE FUNCTION callpush_tenant_sources() RETURNS text[] LANGUAGE sql STABLE SECURITY DEFINER AS $f$
            SELECT coalesce(array_agg(DISTINCT g.source), '{}') FROM tenant_reader_grants g
            JOIN pg_catalog.pg_roles r ON r.rolname = g.role_name
            WHERE pg_catalog.pg_has_role(session_user, r.oid, 'USAGE')
        $f$;
        REVOKE ALL ON FUNCTION callpush_tenant_sdk_app_ids(), callpush_tenant_sources() FROM PUBLIC;
        -- pg_temp last: a tenant's temporary table must not stand in for tenant_reader_grants.
        DO $$
        BEGIN
            EXECUTE format('ALTER FUNCTION callpush_tenant_sdk_app_ids() SET search_path = pg_catalog, %I, pg_temp', current_schema());
            EXECUTE format('ALTER FUNCTION callpush_tenant_sources() SET search_path = pg_catalog, %I, pg_temp', current_schema());
        END
        $$;

        {{string.Join("\n", Views.Select(v => $"ALTER VIEW {v} SET (security_invoker = true);"))}}

        DO $$
        BEGIN
            IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{{ReaderRole.Name}}')
               AND EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{{GroupRole}}') THEN
                EXECUTE format('GRANT USAGE ON SCHEMA %I TO {{GroupRole}}', current_schema());
                GRANT EXECUTE ON FUNCTION callpush_tenant_sdk_app_ids(), callpush_tenant_sources() TO {{GroupRole}};
                GRANT SELECT ON {{string.Join(", ", TenantReadable)}} TO {{GroupRole}};
        {{string.Join("\n", Policies.Select(p => $"""
                        ALTER TABLE {p.Table} ENABLE ROW LEVEL SECURITY;
                        CREATE POLICY callpush_reader_rows ON {p.Table} FOR SELECT TO {ReaderRole.Name} USING (true);
                        CREATE POLICY callpush_tenant_rows ON {p.Table} FOR SELECT TO {GroupRole} USING ({p.Condition});
                """))}}
            END IF;
        END
        $$;
        """;

    public static string Down => $$"""
        {{string.Join("\n", Policies.Select(p => $"""
            DROP POLICY IF EXISTS callpush_tenant_rows ON {p.Table};
            DROP POLICY IF EXISTS callpush_reader_rows ON {p.Table};
            ALTER TABLE {p.Table} DISABLE ROW LEVEL SECURITY;
            """))}}
        DO $$
        BEGIN
            IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{{GroupRole}}') THEN
                REVOKE SELECT ON {{string.Join(", ", TenantReadable)}} FROM {{GroupRole}};
                EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM {{GroupRole}}', current_schema());
            END IF;
        END
        $$;
        {{string.Join("\n", Views.Select(v => $"ALTER VIEW {v} RESET (security_invoker);"))}}
        DROP FUNCTION callpush_tenant_sources();
        DROP FUNCTION callpush_tenant_sdk_app_ids();
        """;
}
