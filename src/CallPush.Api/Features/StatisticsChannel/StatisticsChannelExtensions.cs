using NSwag.Generation.Processors;

namespace CallPush.Api.Features.StatisticsChannel;

internal static class StatisticsChannelExtensions
{
    /// <summary>POST /stats, its own reader connections and the per-key limit. Registered after the database.</summary>
    public static WebApplicationBuilder AddStatisticsChannel(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StatisticsChannelOptions>().BindConfiguration(StatisticsChannelOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.ManageLoginRole != true || string.IsNullOrWhiteSpace(o.ConnectionString),
                "CallPush__StatisticsChannel__ConnectionString and CallPush__StatisticsChannel__ManageLoginRole=true exclude each other: "
                + "either the service creates the login role, or it is given one")
            .ValidateOnStart();
        builder.Services.AddSingleton<StatisticsDatabase>();
        builder.Services.AddSingleton<StatisticsKeyLimiter>();
        builder.Services.AddHostedService<StatisticsChannelStartupReport>();
        builder.Services.AddSingleton<IOperationProcessor, StatisticsChannelOpenApi>();
        return builder;
    }
}

/// <summary>Says once, at start, whether /stats is open and as whom it logs in.</summary>
internal sealed partial class StatisticsChannelStartupReport(StatisticsDatabase database, ILogger<StatisticsChannelStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!database.IsConfigured)
        {
            LogNotConfigured(logger);
        }
        else if (database.Managed)
        {
            LogManaged(logger);
        }
        else
        {
            LogConfigured(logger);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The statistics channel is closed: CallPush__StatisticsChannel__ConnectionString is not set, so POST /stats answers 503 "
            + "'statistics channel not configured'. Give it a login role that is only a member of callpush_reader (see the README).")]
    private static partial void LogNotConfigured(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "The statistics channel creates its own login role (CallPush__StatisticsChannel__ManageLoginRole) and checks it at first use")]
    private static partial void LogManaged(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "The statistics channel logs in with CallPush__StatisticsChannel__ConnectionString; its role is checked at first use")]
    private static partial void LogConfigured(ILogger logger);
}
