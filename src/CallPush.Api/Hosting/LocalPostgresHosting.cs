using CallPush.Api.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CallPush.Api.Hosting;

/// <summary>Starts a private PostgreSQL for a service run without <c>ConnectionStrings__CallPush</c>.</summary>
internal static class LocalPostgresHosting
{
    public const string Section = "CallPush:LocalPostgres";

    /// <summary>
    /// <c>ConnectionStrings__CallPush</c> when it is set; otherwise starts (or adopts) the private cluster and returns its
    /// connection string, or exits with one line when that is impossible.
    /// </summary>
    public static string ConnectionStringOrStartLocal(WebApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }
        // Should the EF Core tools ever build the host (they do for a context without a design-time factory), they run
        // Program up to Build() and never start or stop it: a cluster started here would be left running.
        if (EF.IsDesignTime)
        {
            return CallPushDesignTimeDbContextFactory.PlaceholderConnectionString;
        }
        return Start(builder);
    }

    private static string Start(WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(Section);
        var settings = new LocalPostgresSettings(
            section["DataDirectory"] is { Length: > 0 } folder ? folder : Path.Combine(Directory.GetCurrentDirectory(), ".callpush", "postgres"),
            section["Database"] is { Length: > 0 } database ? database : "callpush")
        {
            BinDirectory = section["BinDirectory"],
        };

        LocalPostgres server;
        try
        {
            server = LocalPostgres.StartAsync(settings).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is LocalPostgresUnavailableException or InvalidOperationException)
        {
            StartupFailure.Exit(e.Message);
            throw;
        }
        builder.Services.AddSingleton(server);
        builder.Services.AddHostedService<LocalPostgresLifetime>();
        return server.ConnectionString;
    }
}

/// <summary>Says where the private cluster is, and stops it once everything else has stopped.</summary>
internal sealed partial class LocalPostgresLifetime(LocalPostgres server, ILogger<LocalPostgresLifetime> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogUsingLocal(logger, server.Port, server.DataDirectory, server.PsqlCommand);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await server.StopAsync();
        LogStopped(logger, server.Port);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "ConnectionStrings__CallPush is not set: using a private PostgreSQL on 127.0.0.1:{Port} (data in {DataDirectory}). Connect with: {PsqlCommand}")]
    private static partial void LogUsingLocal(ILogger logger, int port, string dataDirectory, string psqlCommand);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped the private PostgreSQL on 127.0.0.1:{Port}")]
    private static partial void LogStopped(ILogger logger, int port);
}
