using CallPush.Api.Diagnostics;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Npgsql;

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

        // Connector secrets are encrypted with these keys; every replica must see the same ring.
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("CallPush");
        if (builder.Configuration[$"{ExportsOptions.Section}:KeysPath"] is { Length: > 0 } keysPath)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keysPath));
        }
        else
        {
            builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(services => new ConfigureOptions<KeyManagementOptions>(
                keys => keys.XmlRepository = new DatabaseKeyRepository(services.GetRequiredService<NpgsqlDataSource>())));
        }

        builder.Services.AddSingleton<ConnectorCatalog>();
        builder.Services.AddSingleton<ExportRunQueue>();
        builder.Services.AddSingleton<ExportRunner>();
        builder.Services.AddSingleton<ExportMetrics>();
        builder.Services.AddSingleton<ExportDeclarations>();
    }
}
