using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Reconciliation;

/// <summary>One DescribeTelCdr client per source, so each source's credentials keep their own request rate.</summary>
internal sealed class TelCdrClients(IHttpClientFactory httpClients, IOptions<SourcesOptions> sources, IOptions<ReconciliationOptions> options,
    TimeProvider time) : IDisposable
{
    public const string HttpClientName = "tencent-cloud-api";

    private readonly ConcurrentDictionary<string, Lazy<TelCdrClient>> _clients = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The client of a source with API credentials, or null.</summary>
    public TelCdrClient? For(string source)
    {
        if (!sources.Value.Sources.TryGetValue(source, out var configured) || configured.CloudApi is not { } api)
        {
            return null;
        }
        return _clients.GetOrAdd(source, _ => new Lazy<TelCdrClient>(() =>
            new TelCdrClient(httpClients.CreateClient(HttpClientName), api, options.Value, time))).Value;
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }
    }
}
