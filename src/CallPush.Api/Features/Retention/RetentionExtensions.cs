using Microsoft.Extensions.DependencyInjection.Extensions;
using CallPush.Api.Diagnostics;

namespace CallPush.Api.Features.Retention;

internal static class RetentionExtensions
{
    /// <summary>The purge worker: idle unless CallPush:Retention:PushLogDays is set.</summary>
    public static WebApplicationBuilder AddRetention(this WebApplicationBuilder builder)
    {
        builder.Services.AddRetentionServices();
        builder.Services.AddSingleton<RetentionMetrics>();
        builder.Services.AddHostedService<RetentionWorker>();
        return builder;
    }

    public static IServiceCollection AddRetentionServices(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PushLogPurger>();
        return services;
    }
}
