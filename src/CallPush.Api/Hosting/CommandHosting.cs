using CallPush.Api.Persistence;
using Microsoft.Extensions.Logging.Console;

namespace CallPush.Api.Hosting;

/// <summary>What every service command (api-keys, stats, export, reconcile) sets up before its own services.</summary>
internal static class CommandHosting
{
    /// <summary>
    /// Logs only warnings, all to standard error so standard output carries only the command's result, and adds the
    /// database (the private local one when no connection string is configured).
    /// </summary>
    public static void AddCommandLoggingAndDatabase(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole();
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None)
            .AddFilter("Npgsql", LogLevel.None);
        builder.AddCallPushDatabase(LocalPostgresHosting.ConnectionStringOrStartLocal(builder));
    }
}
