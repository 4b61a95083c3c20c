using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Reconciliation;

/// <summary>
/// One API client per source, shared by reconciliation and the recording archive, so each source's credentials keep
/// one request rate.
/// </summary>
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

    /// <summary>The source that lists <paramref name="sdkAppId"/> and has API credentials, and its client; null when none does.</summary>
    public (string Source, TelCdrClient Client)? ForSdkAppId(long sdkAppId)
    {
        foreach (var (name, source) in sources.Value.WithCloudApi())
        {
            if (source.SdkAppIds.Contains(sdkAppId) && For(name) is { } client)
            {
                return (name, client);
            }
        }
        return null;
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }
    }
}
