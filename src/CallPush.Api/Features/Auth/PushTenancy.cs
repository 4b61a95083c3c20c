using System.Collections.Frozen;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

/// <summary>
/// Which SdkAppIds a push may write, decided by who authenticated it. A source with its own credentials for the
/// configured mode may write its own SdkAppIds only, and nobody else may write them; the global credentials (and
/// pushes in mode None) may write every other SdkAppId, as before sources had credentials. Built once, so a push
/// costs one dictionary lookup.
/// </summary>
internal sealed class PushTenancy
{
    private readonly FrozenDictionary<long, string> _ownerOf;
    private readonly FrozenSet<string> _sources;

    public PushTenancy(IOptions<PushAuthOptions> options, IOptions<PushSourcesOptions> sources)
    {
        var mode = options.Value.ParsedMode;
        var owning = sources.Value.Sources.Where(s => s.Value.HasCredentialsFor(mode)).ToList();
        _sources = owning.Select(s => s.Key).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        var ownerOf = new Dictionary<long, string>();
        foreach (var (name, source) in owning)
        {
            foreach (var sdkAppId in source.SdkAppIds)
            {
                ownerOf.TryAdd(sdkAppId, name);
            }
        }
        _ownerOf = ownerOf.ToFrozenDictionary();
    }

    /// <summary>True when some source pushes with its own credentials.</summary>
    public bool AnySourceHasCredentials => _sources.Count > 0;

    /// <summary>Whether the named source pushes with its own credentials in the configured mode.</summary>
    public bool HasCredentials(string source) => _sources.Contains(source);

    /// <summary>Why a push authenticated as <paramref name="source"/> (null: the global credentials) may not write this SdkAppId; null when it may.</summary>
    public string? Refusal(string? source, long sdkAppId)
    {
        var owned = _ownerOf.TryGetValue(sdkAppId, out var owner);
        if (source is null)
        {
            return owned
                ? string.Create(CultureInfo.InvariantCulture, $"SdkAppId {sdkAppId} belongs to a source with its own push credentials; the global credentials may not write it")
                : null;
        }
        return owned && string.Equals(owner, source, StringComparison.OrdinalIgnoreCase)
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"SdkAppId {sdkAppId} is not one of the SdkAppIds of source '{source}'");
    }
}
