using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

/// <summary>
/// The configured credentials, read once: Basic users, and the OAuth2 clients that /oauth/token issues tokens to,
/// the global ones and each source's own, every credential knowing the source it belongs to.
/// </summary>
internal sealed class PushCredentials(IOptions<PushAuthOptions> options, IOptions<PushSourcesOptions> sources)
{
    private readonly PushAuthOptions _settings = options.Value;

    public PushAuthMode Mode => _settings.ParsedMode;

    public CredentialSet BasicUsers { get; } = Collect(options.Value.Basic.Credentials(null), sources.Value,
        (name, source) => source.Auth?.Basic?.Credentials(name));

    /// <summary>Empty when only an external authorization server issues tokens.</summary>
    public CredentialSet OAuth2Clients { get; } = Collect(options.Value.OAuth2.Credentials(null), sources.Value,
        (name, source) => source.Auth?.OAuth2?.Credentials(name));

    public bool IssuesTokens => Mode == PushAuthMode.OAuth2 && !OAuth2Clients.IsEmpty;

    private static CredentialSet Collect(CredentialSet global, PushSourcesOptions sources, Func<string, PushSourceOptions, CredentialSet?> ofSource)
    {
        var all = global;
        foreach (var (name, source) in sources.Sources.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (ofSource(name, source) is { } own)
            {
                all = all.Concat(own);
            }
        }
        return all;
    }
}
