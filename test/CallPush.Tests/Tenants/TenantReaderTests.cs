using CallPush.Tests.Infrastructure;
using Npgsql;
using static CallPush.Tests.Tenants.TenantTestSupport;

namespace CallPush.Tests.Tenants;

public sealed class TenantReaderTests(PostgresFixture postgres)
{
    /// <summary>Every analyst table and view with a sdk_app_id column.</summary>
    private static readonly string[] Relations =
    [
        "push_log", "call_sessions", "serve_participants", "agents", "skill_groups", "recordings", "voicemails", "recording_files",
        "stat_skill_group_intervals", "stat_agent_intervals", "stat_dirty_intervals", "calls", "skill_group_day", "agent_day",
    ];

    [Fact]
    public async Task A_tenant_reader_login_sees_only_its_instances_rows_in_every_table_and_view_and_the_reader_role_sees_all()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Sources());
        await PushBothAsync(app);
        var role = NewRole("tenant_acme");

        var grant = await ServiceCommand.RunAsync(["tenant-readers", "grant", "--source", "acme", "--role", role], app.ConnectionString,
            SourceVariables());
        Assert.True(grant.ExitCode == 0, grant.Error);
        var list = await ServiceCommand.RunAsync(["tenant-readers", "list"], app.ConnectionString, SourceVariables());
        Assert.Contains(list.Output.Split('\n'), line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var r, "acme", "1400482256"] && r == role);

        await using var tenant = new NpgsqlConnection(await LoginAsync(app.ConnectionString, role));
        await tenant.OpenAsync();
        await using var reader = new NpgsqlConnection(app.ConnectionString);
        await reader.OpenAsync();
        await ExecuteAsync(reader, "SET ROLE callpush_reader");
        foreach (var relation in Relations)
        {
            var all = await SdkAppIdsAsync(reader, relation);
            var mine = await SdkAppIdsAsync(tenant, relation);
            if (relation == "stat_dirty_intervals")
            {
                // The statistics worker empties it as it goes.
                Assert.True(mine.All(id => id == Acme), $"{relation}: the tenant saw {string.Join(",", mine)}");
                continue;
            }
            Assert.True(mine.SequenceEqual([Acme]), $"{relation}: the tenant saw {string.Join(",", mine)}");
            Assert.True(all.SequenceEqual([Other, Acme]), $"{relation}: the reader saw {string.Join(",", all)}");
        }
        await using var keys = new NpgsqlCommand(
            "SELECT count(*) FROM ivr_key_presses k WHERE NOT EXISTS (SELECT FROM call_sessions s WHERE s.id = k.call_session_id)", tenant);
        Assert.Equal(0L, await keys.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_tenant_reader_cannot_widen_what_it_sees_with_SET_ROLE_set_config_session_authorization_or_a_temporary_table()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Sources());
        await PushBothAsync(app);
        var role = NewRole("tenant_hostile");
        Assert.Equal(0, (await ServiceCommand.RunAsync(["tenant-readers", "grant", "--source", "acme", "--role", role], app.ConnectionString,
            SourceVariables())).ExitCode);
        await using var tenant = new NpgsqlConnection(await LoginAsync(app.ConnectionString, role));
        await tenant.OpenAsync();

        foreach (var attempt in new[]
        {
            "SET ROLE callpush_reader", "SELECT set_config('role', 'callpush_reader', false)", "SET SESSION AUTHORIZATION postgres",
            "SELECT set_config('session_authorization', 'postgres', false)", "SELECT * FROM tenant_reader_grants",
            "INSERT INTO tenant_reader_grants VALUES (current_user, 'other', 1400000002, now())",
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(tenant, attempt));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
        await ExecuteAsync(tenant, "SET ROLE callpush_tenant_reader");
        Assert.Equal(new[] { Acme }, await SdkAppIdsAsync(tenant, "call_sessions"));
        await ExecuteAsync(tenant, "RESET ROLE");
        await ExecuteAsync(tenant, """
            CREATE TEMP TABLE tenant_reader_grants (role_name text, source text, sdk_app_id bigint, granted_at timestamptz);
            INSERT INTO tenant_reader_grants VALUES (current_user, 'other', 1400000002, now());
            """);
        Assert.Equal(new[] { Acme }, await SdkAppIdsAsync(tenant, "call_sessions"));
        Assert.Equal(new[] { Acme }, await SdkAppIdsAsync(tenant, "calls"));
    }

    [Fact]
    public async Task Grant_refuses_an_unknown_source_and_a_member_of_the_reader_role_and_revoke_takes_the_rows_away()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Sources());
        await PushBothAsync(app);
        var role = NewRole("tenant_revoked");

        var unknown = await ServiceCommand.RunAsync(["tenant-readers", "grant", "--source", "nowhere", "--role", role], app.ConnectionString,
            SourceVariables());
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no source is named 'nowhere'", unknown.Error);
        var reader = NewRole("tenant_reader_member");
        await using (var admin = new NpgsqlConnection(app.ConnectionString))
        {
            await admin.OpenAsync();
            await ExecuteAsync(admin, $"CREATE ROLE {reader} IN ROLE callpush_reader");
        }
        var wide = await ServiceCommand.RunAsync(["tenant-readers", "grant", "--source", "acme", "--role", reader], app.ConnectionString,
            SourceVariables());
        Assert.Equal(1, wide.ExitCode);
        Assert.Contains("would see every row", wide.Error);

        Assert.Equal(0, (await ServiceCommand.RunAsync(["tenant-readers", "grant", "--source", "other", "--role", role], app.ConnectionString,
            SourceVariables())).ExitCode);
        var login = await LoginAsync(app.ConnectionString, role);
        await using (var tenant = new NpgsqlConnection(login))
        {
            await tenant.OpenAsync();
            Assert.Equal(new[] { Other }, await SdkAppIdsAsync(tenant, "calls"));
        }
        var revoke = await ServiceCommand.RunAsync(["tenant-readers", "revoke", "--role", role], app.ConnectionString, SourceVariables());
        Assert.True(revoke.ExitCode == 0, revoke.Error);
        await using (var tenant = new NpgsqlConnection(login))
        {
            await tenant.OpenAsync();
            var refused = await Assert.ThrowsAsync<PostgresException>(() => SdkAppIdsAsync(tenant, "calls"));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }
}
