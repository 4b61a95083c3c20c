using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Reconciliation;

internal static class ReconciliationExtensions
{
    /// <summary>Sources, the DescribeTelCdr clients, the runner, the scheduled windows and the analyst endpoints' services.</summary>
    public static WebApplicationBuilder AddReconciliation(this WebApplicationBuilder builder)
    {
        builder.Services.AddReconciliationServices();
        builder.Services.AddSingleton<ReconciliationScheduler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ReconciliationScheduler>());
        return builder;
    }

    /// <summary>Everything a run needs, without the scheduler (the reconcile command runs one window itself).</summary>
    public static IServiceCollection AddReconciliationServices(this IServiceCollection services)
    {
        services.AddOptions<SourcesOptions>().BindConfiguration(SourcesOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SourcesOptions>, SourcesOptionsValidator>();
        services.AddOptions<ReconciliationOptions>().BindConfiguration(ReconciliationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(TelCdrClients.HttpClientName, (services, client) =>
            client.Timeout = services.GetRequiredService<IOptions<ReconciliationOptions>>().Value.RequestTimeout);
        services.AddSingleton<TelCdrClients>();
        services.AddSingleton<ReconciliationRunner>();
        return services;
    }
}
