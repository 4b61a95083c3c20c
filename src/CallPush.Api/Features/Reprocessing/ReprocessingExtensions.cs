namespace CallPush.Api.Features.Reprocessing;

internal static class ReprocessingExtensions
{
    public static WebApplicationBuilder AddReprocessing(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PushReprocessor>();
        return builder;
    }
}
