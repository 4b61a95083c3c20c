using CallPush.Api.Hosting;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CallPush.Api.Persistence;

internal static class DatabaseExtensions
{
    /// <summary>
    /// PostgreSQL from <c>ConnectionStrings__CallPush</c>, or a private local cluster when it is not set; one
    /// NpgsqlDataSource shared by EF Core (schema, migrations) and the push writer.
    /// </summary>
    public static WebApplicationBuilder AddCallPushDatabase(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = LocalPostgresHosting.Start(builder);
        }

        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(settings.ApplicationName))
        {
            settings.ApplicationName = "callpush";
        }
        if (!settings.ContainsKey("Max Auto Prepare"))
        {
            settings.MaxAutoPrepare = 64;
        }

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
}
