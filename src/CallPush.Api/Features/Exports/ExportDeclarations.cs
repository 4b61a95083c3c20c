using CallPush.Api.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Exports;

/// <summary>
/// Connectors and jobs declared under CallPush:Exports:Connectors and CallPush:Exports:Jobs, written to the database at
/// start-up (by name, marked source 'config') so that a deployment needs no API calls. A declared connector's secret
/// key stays in configuration: the row names the configuration key.
/// </summary>
internal sealed class ExportDeclarations(IServiceScopeFactory scopes, ConnectorCatalog catalog, IOptions<ExportsOptions> options,
    ILogger<ExportDeclarations> logger)
{
    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var exports = options.Value;
        if (exports.Connectors.Count == 0 && exports.Jobs.Count == 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CallPushDbContext>();
        var now = DateTimeOffset.UtcNow;
        foreach (var (name, declared) in exports.Connectors)
        {
            var request = new ConnectorRequest(name, declared.Kind, declared.Path, declared.Bucket, declared.Prefix, declared.Region,
                declared.ServiceUrl, declared.ForcePathStyle, declared.AccessKey, null,
                declared.SecretKey is null ? null : $"{ExportsOptions.Section}:Connectors:{name}:SecretKey");
            if (catalog.Validate(request) is { } problem)
            {
                ExportLog.DeclarationRefused(logger, $"connector '{name}': {problem}");
                continue;
            }
            var row = await db.Set<ExportConnector>().FirstOrDefaultAsync(c => c.Name == name, cancellationToken);
            if (row is null)
            {
                row = new ExportConnector { Name = name, Kind = declared.Kind, Settings = "{}", Source = "config", CreatedAt = now };
                db.Add(row);
            }
            catalog.Apply(request, row);
            row.Source = "config";
            row.UpdatedAt = now;
        }
        await db.SaveChangesAsync(cancellationToken);

        foreach (var (name, declared) in exports.Jobs)
        {
            var connector = await db.Set<ExportConnector>().AsNoTracking().FirstOrDefaultAsync(c => c.Name == declared.Connector, cancellationToken);
            if (connector is null)
            {
                ExportLog.DeclarationRefused(logger, $"job '{name}': no connector is named '{declared.Connector}'");
                continue;
            }
            var request = new JobRequest(name, connector.Id, declared.Containers, declared.Tenants, declared.TimeZone, declared.Frequency,
                declared.At, declared.DayOfWeek, declared.DayOfMonth, declared.Cron, declared.StartDate, declared.EndDate, declared.Enabled,
                declared.Gzip, declared.Bom);
            var row = await db.Set<ExportJob>().FirstOrDefaultAsync(j => j.Name == name, cancellationToken);
            var isNew = row is null;
            row ??= new ExportJob { Name = name, Containers = [], Tenants = [], TimeZone = "UTC", Frequency = "daily", Source = "config", CreatedAt = now };
            if (JobRules.Apply(request, row, now) is { } problem)
            {
                ExportLog.DeclarationRefused(logger, $"job '{name}': {problem}");
                continue;
            }
            row.Source = "config";
            if (isNew)
            {
                db.Add(row);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
