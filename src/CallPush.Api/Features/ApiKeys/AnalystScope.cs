using System.Security.Claims;
using CallPush.Api.Features.Reconciliation;

namespace CallPush.Api.Features.ApiKeys;

/// <summary>
/// What an analyst's API key may see: every row, or only the rows of some configured sources (their SdkAppIds). A source
/// no longer configured gives nothing, so a limited key never falls back to seeing everything.
/// </summary>
internal sealed record AnalystScope(IReadOnlyList<string> Sources, IReadOnlySet<long> SdkAppIds)
{
    public bool Limited => Sources.Count > 0;

    public bool Covers(long sdkAppId) => !Limited || SdkAppIds.Contains(sdkAppId);

    public bool CoversAll(IEnumerable<long> sdkAppIds) => !Limited || sdkAppIds.All(SdkAppIds.Contains);

    public bool CoversSource(string source) => !Limited || Sources.Contains(source, StringComparer.OrdinalIgnoreCase);

    public static AnalystScope Of(ClaimsPrincipal user, SourcesOptions configured)
    {
        var sources = user.FindAll(ApiKeyAuthenticationHandler.SourceClaim).Select(c => c.Value).ToList();
        var sdkAppIds = sources.SelectMany(s => configured.Sources.TryGetValue(s, out var source) ? source.SdkAppIds : []).ToHashSet();
        return new AnalystScope(sources, sdkAppIds);
    }
}
