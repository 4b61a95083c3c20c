using System.Net;
using System.Net.Sockets;
using CallPush.Api.Hosting;
using CallPush.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CallPush.Tests;

/// <summary><c>dotnet CallPush.Api.dll migrate</c>, run as the Helm hook Job runs it: a process of its own.</summary>
public sealed class MigrateCommandTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Migrate_brings_an_empty_database_to_the_current_schema_and_exits_0_even_when_run_twice_at_once()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync();

        var runs = await Task.WhenAll(RunAsync(connectionString), RunAsync(connectionString));

        Assert.All(runs, run => Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}: {run.Error}"));
        Assert.Contains(runs, run => run.Output.Contains("applied", StringComparison.Ordinal));
        await using var context = PostgresFixture.CreateContext(connectionString);
        Assert.Empty(await context.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        var tables = context.Model.GetEntityTypes().Select(e => e.GetTableName()!).Distinct().ToList();
        Assert.Contains("push_log", tables);
        Assert.All(tables, table => Assert.True(TableExists(connectionString, table), $"table {table} is missing"));
    }

    [Fact]
    public async Task Migrate_on_a_current_database_changes_nothing_and_exits_0()
    {
        var connectionString = await postgres.CreateDatabaseAsync();

        var run = await RunAsync(connectionString);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("CallPush migrate: the database schema is already current", run.Output.Trim());
    }

    [Fact]
    public async Task Migrate_against_an_unreachable_server_exits_non_zero_with_one_line_that_says_why()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(postgres.ConnectionString("callpush")) { Port = ClosedPort(), Timeout = 5 }
            .ConnectionString;

        var run = await RunAsync(connectionString);

        Assert.Equal(MigrateCommand.FailureExitCode, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("CallPush migrate failed: ", line, StringComparison.Ordinal);
        Assert.Contains("Connection refused", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_without_a_connection_string_names_the_missing_key()
    {
        var run = await RunAsync(connectionString: null);

        Assert.Equal(StartupFailure.ExitCode, run.ExitCode);
        Assert.Contains("ConnectionStrings__CallPush", run.Error, StringComparison.Ordinal);
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(string? connectionString) =>
        ServiceCommand.RunAsync([MigrateCommand.Name], connectionString);

    private static bool TableExists(string connectionString, string table)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        return (bool)command.ExecuteScalar()!;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
