namespace CallPush.Api.Features.Statistics;

internal static class StatisticsExtensions
{
    /// <summary>15-minute interval statistics kept current from the pushed CDRs (docs/statistics.md).</summary>
    public static WebApplicationBuilder AddStatistics(this WebApplicationBuilder builder)
    {
        builder.Services.AddStatisticsOptions();
        builder.Services.AddSingleton<StatisticsRecomputer>();
        builder.Services.AddHostedService<StatisticsWorker>();
        return builder;
    }

    internal static IServiceCollection AddStatisticsOptions(this IServiceCollection services)
    {
        services.AddOptions<StatisticsOptions>().BindConfiguration(StatisticsOptions.Section).ValidateDataAnnotations()
            .Validate(o => !o.Problems().Any(), "CallPush__Statistics__Thresholds: every key is a skill group id and every threshold is between 0 and 86400 seconds")
            .ValidateOnStart();
        return services;
    }
}
