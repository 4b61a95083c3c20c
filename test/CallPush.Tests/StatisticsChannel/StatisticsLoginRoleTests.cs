using CallPush.Tests.Infrastructure;
using CallPush.Tests.Recordings;
using Npgsql;

namespace CallPush.Tests.StatisticsChannel;

/// <summary>The channel opens only on a login role that can do no more than read the analyst tables.</summary>
public sealed class StatisticsLoginRoleTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Without_its_own_connection_string_the_channel_answers_503_not_configured()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        using var client = app.AnalystClient(await app.CreateKeyAsync());

        var reply = await client.StatsAsync("data", "select 1");

        Assert.Equal("statistics channel not configured", reply.AssertFailure(503));
    }

    [Fact]
    public async Task On_the_services_own_superuser_connection_the_channel_stays_closed()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var app = new CallPushApp(connectionString, new Dictionary<string, string?>
        {
            ["CallPush:StatisticsChannel:ConnectionString"] = connectionString,
        });
        await app.WaitUntilReadyAsync();
        using var client = app.AnalystClient(await app.CreateKeyAsync());

        var reply = await client.StatsAsync("data", "select count(*) from api_keys");

        Assert.Contains("statistics channel closed", reply.AssertFailure(503), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reader_role_that_may_also_write_a_table_is_refused()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var role = "callpush_stats_writer_" + Guid.NewGuid().ToString("N")[..8];
        await ExecuteAsync(connectionString, $"CREATE ROLE {role} LOGIN IN ROLE callpush_reader", $"GRANT INSERT ON push_log TO {role}");
        try
        {
            await using var app = new CallPushApp(connectionString, new Dictionary<string, string?>
            {
                ["CallPush:StatisticsChannel:ConnectionString"] = new NpgsqlConnectionStringBuilder(connectionString) { Username = role }.ConnectionString,
            });
            await app.WaitUntilReadyAsync();
            using var client = app.AnalystClient(await app.CreateKeyAsync());

            var reply = await client.StatsAsync("data", "select 1");

            Assert.Contains("statistics channel closed", reply.AssertFailure(503), StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync(connectionString, $"REVOKE ALL ON push_log FROM {role}", $"DROP ROLE {role}");
        }
    }

    [Fact]
    public async Task A_managed_login_role_is_created_as_a_plain_member_of_callpush_reader_and_serves_statements()
    {
        var role = "callpush_stats_managed_" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = await postgres.CreateDatabaseAsync();
        try
        {
            await using (var app = new CallPushApp(connectionString, new Dictionary<string, string?>
            {
                ["CallPush:StatisticsChannel:ManageLoginRole"] = "true",
                ["CallPush:StatisticsChannel:LoginRole"] = role,
            }))
            {
                await app.WaitUntilReadyAsync();
                using var client = app.AnalystClient(await app.CreateKeyAsync());

                var reply = await client.StatsAsync("data", "select current_user as who, (select count(*) from push_log) as pushes");
                var forbidden = await client.StatsAsync("data", "select * from api_keys");

                Assert.True(reply.Success, reply.Error);
                Assert.Equal(role, Assert.Single(reply.Data.EnumerateArray()).GetProperty("who").GetString());
                forbidden.AssertFailure(403);
                var attributes = Assert.Single(await app.RowsAsync("""
                    SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolinherit, pg_has_role(oid, 'callpush_reader', 'USAGE') AS reads,
                           (SELECT count(*) FROM pg_auth_members WHERE member = r.oid) AS memberships
                    FROM pg_roles r WHERE rolname = $1
                    """, role));
                Assert.Equal([true, false, false, false, true, true], new[] { "rolcanlogin", "rolsuper", "rolcreaterole", "rolcreatedb", "rolinherit", "reads" }
                    .Select(c => (bool)attributes[c]!));
                Assert.Equal(1L, attributes["memberships"]);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(connectionString, $"DROP ROLE IF EXISTS {role}");
        }
    }

    private static async Task ExecuteAsync(string connectionString, params string[] statements)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
