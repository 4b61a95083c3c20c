using Microsoft.Extensions.Options;

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
        services.AddOptions<StatisticsOptions>().BindConfiguration(StatisticsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<StatisticsOptions>, StatisticsOptionsValidator>();
        return services;
    }
}

/// <summary>Names each wrong per-skill-group threshold key, which data annotations cannot reach inside a dictionary.</summary>
internal sealed class StatisticsOptionsValidator : IValidateOptions<StatisticsOptions>
{
    public ValidateOptionsResult Validate(string? name, StatisticsOptions options) =>
        options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
