using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallPush.Api.Features.Exports;

/// <summary>
/// The Data Protection key ring of connector secrets: in the database (data_protection_keys), or in the folder
/// CallPush__Exports__KeysPath. A ring of its own, built on first use, so that the service's start-up neither waits
/// for it nor touches the database before the schema is migrated.
/// </summary>
internal sealed class ConnectorSecretProtection(NpgsqlDataSource dataSource, IOptions<ExportsOptions> options) : IDisposable
{
    private readonly Lazy<(ServiceProvider Services, IDataProtector Protector)> _ring = new(() =>
    {
        var services = new ServiceCollection();
        var dataProtection = services.AddDataProtection().SetApplicationName("CallPush");
        if (options.Value.KeysPath is { Length: > 0 } keysPath)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keysPath));
        }
        else
        {
            services.Configure<KeyManagementOptions>(keys => keys.XmlRepository = new DatabaseKeyRepository(dataSource));
        }
        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("CallPush.Exports.ConnectorSecrets"));
    });

    public IDataProtector Protector => _ring.Value.Protector;

    public void Dispose()
    {
        if (_ring.IsValueCreated)
        {
            _ring.Value.Services.Dispose();
        }
    }
}
