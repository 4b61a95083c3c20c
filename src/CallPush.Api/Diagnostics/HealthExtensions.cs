namespace CallPush.Api.Diagnostics;

internal static class HealthExtensions
{
    public static WebApplicationBuilder AddCallPushHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck("process", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(), tags: [HealthEndpoint.LiveTag])
            .AddCheck<DatabaseReadyCheck>("database", tags: [HealthEndpoint.ReadyTag], timeout: TimeSpan.FromSeconds(3));
        return builder;
    }
}
