using CallPush.Api.Features.Auth;

namespace CallPush.Api.Features.Push;

internal static class PushExtensions
{
    public static WebApplicationBuilder AddPushIngestion(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PushOptions>().BindConfiguration(PushOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PushStore>();
        builder.Services.AddPushTenancy();
        builder.Services.AddSingleton<PushIngestion>();
        builder.Services.AddSingleton<NSwag.Generation.Processors.IOperationProcessor, PushOpenApi>();
        return builder;
    }
}
