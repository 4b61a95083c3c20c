using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

[assembly: AssemblyFixture(typeof(CallPush.Tests.Infrastructure.PostgresFixture))]

namespace CallPush.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server for the whole test run: a throwaway cluster started from the local binaries, or the
/// server named by CALLPUSH_TEST_POSTGRES. A template database is migrated once; every test gets its own copy,
/// so tests start from a clean state and can run in parallel.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string ServerVariable = "CALLPUSH_TEST_POSTGRES";
    private const string Template = "callpush_test_template";

    private LocalPostgres? _cluster;
    private string? _clusterRoot;
    private string _adminConnectionString = string.Empty;
    private int _databases;

    /// <summary>A connection string to the server's maintenance database.</summary>
    public string AdminConnectionString => _adminConnectionString;

    public async ValueTask InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ServerVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            _adminConnectionString = configured;
        }
        else
        {
            _clusterRoot = Path.Combine(Path.GetTempPath(), "callpush-tests-" + Guid.NewGuid().ToString("N")[..8]);
            _cluster = await LocalPostgres.StartAsync(new LocalPostgresSettings(_clusterRoot, "postgres") { Durable = false });
            _adminConnectionString = _cluster.ConnectionString;
        }

        await ExecuteAsync($"DROP DATABASE IF EXISTS {Template} WITH (FORCE)");
        await ExecuteAsync($"CREATE DATABASE {Template}");
        await using var context = CreateContext(ConnectionString(Template));
        await context.Database.MigrateAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
        {
            await _cluster.StopAsync();
            try
            {
                Directory.Delete(_clusterRoot!, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>A fresh database with the current schema, for one test.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"callpush_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {Template}");
        return ConnectionString(name);
    }

    /// <summary>A fresh database without any schema, for migration tests.</summary>
    public async Task<string> CreateEmptyDatabaseAsync()
    {
        var name = $"callpush_empty_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await ExecuteAsync($"CREATE DATABASE {name}");
        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = database, Pooling = false }.ConnectionString;

    public static CallPushDbContext CreateContext(string connectionString) =>
        new(new DbContextOptionsBuilder<CallPushDbContext>().UseNpgsql(connectionString).Options);

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(
            new NpgsqlConnectionStringBuilder(_adminConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
