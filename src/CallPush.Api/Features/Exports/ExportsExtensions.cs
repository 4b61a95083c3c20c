using CallPush.Api.Diagnostics;

namespace CallPush.Api.Features.Exports;

internal static class ExportsExtensions
{
    public static WebApplicationBuilder AddExports(this WebApplicationBuilder builder)
    {
        AddExportServices(builder);
        if (builder.Configuration.GetValue($"{ExportsOptions.Section}:SchedulerEnabled", true))
        {
            builder.Services.AddHostedService<ExportWorker>();
        }
        return builder;
    }

    /// <summary>Everything but the scheduler: what the service and the <c>export</c> command share.</summary>
    public static void AddExportServices(WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ExportsOptions>().BindConfiguration(ExportsOptions.Section).ValidateDataAnnotations()
            .Validate(o => !string.IsNullOrWhiteSpace(o.FolderRoot), "CallPush__Exports__FolderRoot must not be empty")
            .ValidateOnStart();

        builder.Services.AddSingleton<ConnectorSecretProtection>();
        builder.Services.AddSingleton<ConnectorCatalog>();
        builder.Services.AddSingleton<ExportRunQueue>();
        builder.Services.AddSingleton<ExportRunner>();
        builder.Services.AddSingleton<ExportMetrics>();
        builder.Services.AddSingleton<ExportDeclarations>();
    }
}
