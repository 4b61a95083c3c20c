using CallPush.Api.Diagnostics;
using CallPush.Api.Features.Auth;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CallPush.Api.Features.Push;

internal static class PushExtensions
{
    public static WebApplicationBuilder AddPushIngestion(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PushOptions>().BindConfiguration(PushOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PushStore>();
        builder.Services.TryAddSingleton<CallPushMetrics>();
        builder.Services.AddSingleton<PushCommitter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PushCommitter>());
        builder.Services.AddPushTenancy();
        builder.Services.AddSingleton<PushIngestion>();
        builder.Services.AddSingleton<NSwag.Generation.Processors.IOperationProcessor, PushOpenApi>();
        return builder;
    }
}
