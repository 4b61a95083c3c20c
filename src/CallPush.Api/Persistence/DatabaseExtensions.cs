using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CallPush.Api.Persistence;

internal static class DatabaseExtensions
{
    /// <summary>
    /// Registers the database on <paramref name="connectionString"/>: one NpgsqlDataSource shared by EF Core (schema,
    /// migrations) and the push writer. Registration only: nothing is started or connected here.
    /// </summary>
    public static WebApplicationBuilder AddCallPushDatabase(this WebApplicationBuilder builder, string connectionString)
    {
        var settings = WithDefaults(connectionString);

        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section);
        builder.Services.AddSingleton<DatabaseState>();
        builder.Services.AddSingleton(services => new NpgsqlDataSourceBuilder(settings.ConnectionString)
            .UseLoggerFactory(services.GetRequiredService<ILoggerFactory>())
            .Build());
        builder.Services.AddDbContextPool<CallPushDbContext>((services, options) =>
            options.UseNpgsql(services.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddHostedService<DatabaseMigrator>();
        return builder;
    }

    /// <summary>
    /// The connection string with CallPush's defaults where it does not say otherwise: an application name,
    /// auto-prepare of the push writer's statements (without it PostgreSQL parses and plans every statement of every
    /// push), and no session reset when a connection goes back to the pool (CallPush leaves no session state behind:
    /// its advisory lock is released explicitly, and a push sets the sequence position it reads itself).
    /// </summary>
    public static NpgsqlConnectionStringBuilder WithDefaults(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(settings.ApplicationName))
        {
            settings.ApplicationName = "callpush";
        }
        // NpgsqlConnectionStringBuilder.ContainsKey is true for every keyword Npgsql knows, set or not: look at the text.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>().Select(k => k.Replace(" ", string.Empty, StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!given.Contains("MaxAutoPrepare"))
        {
            settings.MaxAutoPrepare = 64;
        }
        if (!given.Contains("NoResetOnClose"))
        {
            settings.NoResetOnClose = true;
        }
        return settings;
    }
}
