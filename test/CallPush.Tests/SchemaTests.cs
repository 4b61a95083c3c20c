using CallPush.Api.Persistence;
using CallPush.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace CallPush.Tests;

public sealed class SchemaTests(PostgresFixture postgres)
{
    private static readonly string[] DeployedMigrations = ["20261121090000_InitialSchema", "20261121100000_AccessTokens"];

    [Fact]
    public async Task The_model_has_no_changes_that_a_migration_does_not_make()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.AddCallPushDatabase(CallPushDesignTimeDbContextFactory.PlaceholderConnectionString);
        await using var app = builder.Build();
        await using var scope = app.Services.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<CallPushDbContext>();
        await using var tools = new CallPushDesignTimeDbContextFactory().CreateDbContext([]);

        const string advice = "the model changed without a migration: dotnet ef migrations add <Name> --project src/CallPush.Api";
        Assert.False(service.Database.HasPendingModelChanges(), advice);
        Assert.False(tools.Database.HasPendingModelChanges(), advice);
    }

    [Fact]
    public async Task A_database_deployed_with_the_first_migrations_knows_them_by_their_ids()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync();
        await using var context = PostgresFixture.CreateContext(connectionString);
        await context.GetService<IMigrator>().MigrateAsync(DeployedMigrations[^1], TestContext.Current.CancellationToken);

        Assert.Equal(DeployedMigrations, await context.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken));
        Assert.Equal(context.Database.GetMigrations().Except(DeployedMigrations),
            await context.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        await context.Database.MigrateAsync(TestContext.Current.CancellationToken);
        Assert.Empty(await context.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
    }

    // Both are needed: the pending-changes test compares the model with the snapshot that dotnet ef writes migrations
    // from; this one compares it with the schema the migrations really create, so it catches hand-written SQL that drifts.
    [Fact]
    public async Task The_migrated_database_matches_the_ef_model()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync();
        await using var context = PostgresFixture.CreateContext(connectionString);
        await context.Database.MigrateAsync();

        var expected = ModelSchema(context.GetService<IDesignTimeModel>().Model.GetRelationalModel());
        var actual = await DatabaseSchema(connectionString);

        Assert.Empty(expected.Except(actual));
        Assert.Empty(actual.Except(expected));
        Assert.Contains("call_sessions fk fk_call_sessions_seat_agent (seat_agent_id) -> agents (id) r", actual);
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task Several_replicas_starting_together_on_an_empty_database_migrate_it_once()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync();
        var replicas = Enumerable.Range(0, 3).Select(_ => new CallPushApp(connectionString)).ToList();
        try
        {
            await Task.WhenAll(replicas.Select(replica => replica.WaitUntilReadyAsync()));

            var replies = await Task.WhenAll(replicas.Select((replica, i) =>
                replica.CreateClient().PushAndReadAsync("record", Samples.Record, $"after-migration-{i}")));

            Assert.All(replies, reply => Assert.Equal(0, reply.ErrCode));
            await using var context = PostgresFixture.CreateContext(connectionString);
            var applied = (await context.Database.GetAppliedMigrationsAsync()).ToList();
            Assert.Equal(context.Database.GetMigrations(), applied);
            Assert.Equal(applied.Count, await replicas[0].ScalarAsync<long>("SELECT count(*) FROM \"__EFMigrationsHistory\""));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Analysts_get_a_read_only_role_that_cannot_log_in()
    {
        await using var app = await CallPushApp.StartAsync(postgres);

        var role = Assert.Single(await app.RowsAsync("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'callpush_reader'"));
        Assert.False((bool)role["rolcanlogin"]!);
        foreach (var table in new[] { "push_log", "call_sessions", "serve_participants", "agents", "skill_groups", "ivr_key_presses", "recordings", "voicemails", "recording_files", "recording_access_log" })
        {
            Assert.True(await app.ScalarAsync<bool>("SELECT has_table_privilege('callpush_reader', $1, 'SELECT')", table), table);
            Assert.False(await app.ScalarAsync<bool>("SELECT has_table_privilege('callpush_reader', $1, 'INSERT')", table), table);
        }
        foreach (var secret in new[] { "oauth_access_tokens", "api_keys" })
        {
            Assert.False(await app.ScalarAsync<bool>("SELECT has_table_privilege('callpush_reader', $1, 'SELECT')", secret), secret);
        }
    }

    private static HashSet<string> ModelSchema(IRelationalModel model)
    {
        var schema = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in model.Tables)
        {
            schema.Add($"table {table.Name}");
            foreach (var column in table.Columns)
            {
                var identity = column.PropertyMappings[0].Property.GetValueGenerationStrategy() switch
                {
                    NpgsqlValueGenerationStrategy.IdentityAlwaysColumn => "a",
                    NpgsqlValueGenerationStrategy.IdentityByDefaultColumn => "d",
                    _ => "",
                };
                schema.Add($"{table.Name}.{column.Name} {column.StoreType} {(column.IsNullable ? "null" : "not null")} identity={identity}");
            }
            if (table.PrimaryKey is { } key)
            {
                schema.Add($"{table.Name} pk {key.Name} ({string.Join(", ", key.Columns.Select(c => c.Name))})");
            }
            foreach (var index in table.Indexes)
            {
                var nullsDistinct = index.MappedIndexes.First().GetAreNullsDistinct() ?? true;
                schema.Add($"{table.Name} index {index.Name} unique={index.IsUnique} ({string.Join(", ", index.Columns.Select(c => c.Name))}) " +
                    $"filter={Normalize(index.Filter)} nulls_distinct={nullsDistinct}");
            }
            foreach (var foreignKey in table.ForeignKeyConstraints)
            {
                var onDelete = foreignKey.OnDeleteAction switch
                {
                    ReferentialAction.Cascade => "c",
                    ReferentialAction.Restrict => "r",
                    ReferentialAction.SetNull => "n",
                    _ => "a",
                };
                schema.Add($"{table.Name} fk {foreignKey.Name} ({string.Join(", ", foreignKey.Columns.Select(c => c.Name))}) -> " +
                    $"{foreignKey.PrincipalTable.Name} ({string.Join(", ", foreignKey.PrincipalColumns.Select(c => c.Name))}) {onDelete}");
            }
            foreach (var check in table.CheckConstraints)
            {
                schema.Add($"{table.Name} check {check.Name} {Normalize(check.Sql)}");
            }
        }
        return schema;
    }

    private static async Task<HashSet<string>> DatabaseSchema(string connectionString)
    {
        var schema = new HashSet<string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        async Task ReadAsync(string sql, Func<NpgsqlDataReader, string> line)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                schema.Add(line(reader));
            }
        }

        const string ownTables = "n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '__EFMigrationsHistory'";
        await ReadAsync($"SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {ownTables}",
            r => $"table {r.GetString(0)}");
        await ReadAsync($"""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity::text
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {ownTables} AND a.attnum > 0 AND NOT a.attisdropped
            """,
            r => $"{r.GetString(0)}.{r.GetString(1)} {r.GetString(2)} {(r.GetBoolean(3) ? "not null" : "null")} identity={r.GetString(4).Trim('\0')}");
        await ReadAsync($"""
            SELECT c.relname, i.relname, x.indisunique,
                   ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord),
                   pg_get_expr(x.indpred, x.indrelid), NOT x.indnullsnotdistinct
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {ownTables} AND NOT x.indisprimary
            """,
            r => $"{r.GetString(0)} index {r.GetString(1)} unique={r.GetBoolean(2)} ({string.Join(", ", r.GetFieldValue<string[]>(3))}) " +
                 $"filter={Normalize(r.IsDBNull(4) ? null : r.GetString(4))} nulls_distinct={r.GetBoolean(5)}");
        await ReadAsync($"""
            SELECT c.relname, k.conname, k.contype::text,
                   ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum ORDER BY u.ord),
                   p.relname,
                   ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum ORDER BY u.ord),
                   k.confdeltype::text, pg_get_expr(k.conbin, k.conrelid)
            FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_class p ON p.oid = k.confrelid
            WHERE {ownTables} AND k.contype IN ('p', 'f', 'c')
            """,
            r => r.GetString(2) switch
            {
                "p" => $"{r.GetString(0)} pk {r.GetString(1)} ({string.Join(", ", r.GetFieldValue<string[]>(3))})",
                "f" => $"{r.GetString(0)} fk {r.GetString(1)} ({string.Join(", ", r.GetFieldValue<string[]>(3))}) -> " +
                       $"{r.GetString(4)} ({string.Join(", ", r.GetFieldValue<string[]>(5))}) {r.GetString(6)}",
                _ => $"{r.GetString(0)} check {r.GetString(1)} {Normalize(r.GetString(7))}",
            });
        return schema;
    }

    /// <summary>PostgreSQL prints expressions back with casts and parentheses; compare their substance.</summary>
    private static string Normalize(string? sql) => sql is null
        ? "none"
        : new string(sql.Replace("::text", "", StringComparison.Ordinal).Replace("ARRAY[", "(", StringComparison.Ordinal)
            .Replace("= ANY", "IN", StringComparison.Ordinal)
            .Where(c => c is not ('(' or ')' or '[' or ']' or ' ')).ToArray());
}
