using CallPush.Api.Persistence;

namespace CallPush.Api.Hosting;

/// <summary>
/// <c>dotnet CallPush.Api.dll migrate</c>: applies pending migrations and exits, so a deployment can migrate once per
/// release (a Helm hook Job) and run its replicas with <c>CallPush__Database__MigrateOnStartup=false</c>.
/// </summary>
internal static class MigrateCommand
{
    public const string Name = "migrate";
    public const int FailureExitCode = 1;

    public static bool IsRequested(string[] args) => args is [Name, ..];

    /// <summary>Exit code 0 when the schema is current; otherwise one line on standard error that says why.</summary>
    public static async Task<int> RunAsync(WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            // Migrating the private development cluster is what a plain start-up already does.
            await Console.Error.WriteLineAsync(
                "CallPush migrate failed: ConnectionStrings__CallPush is not set; point it at the PostgreSQL database to migrate.");
            return StartupFailure.ExitCode;
        }

        // The failure line below says what went wrong; EF Core's and Npgsql's own multi-line error logs would repeat it.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None).AddFilter("Npgsql", LogLevel.None);
        builder.AddCallPushDatabase(connectionString);
        await using var app = builder.Build();
        await using var scope = app.Services.CreateAsyncScope();
        try
        {
            var pending = await SchemaMigration.MigrateAsync(scope.ServiceProvider.GetRequiredService<CallPushDbContext>(),
                scope.ServiceProvider.GetRequiredService<Npgsql.NpgsqlDataSource>(), CancellationToken.None);
            await Console.Out.WriteLineAsync(pending.Count == 0
                ? "CallPush migrate: the database schema is already current"
                : $"CallPush migrate: applied {pending.Count} migration(s): {string.Join(", ", pending)}");
            return 0;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"CallPush migrate failed: {OneLine(e)}");
            return FailureExitCode;
        }
    }

    private static string OneLine(Exception e)
    {
        var message = e.InnerException is { } inner && e is not Npgsql.PostgresException ? $"{e.Message} ({inner.Message})" : e.Message;
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
