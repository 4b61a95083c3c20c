using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

/// <summary>The configured credentials, read once: Basic users, and the OAuth2 clients that /oauth/token issues tokens to.</summary>
internal sealed class PushCredentials(IOptions<PushAuthOptions> options)
{
    private readonly PushAuthOptions _settings = options.Value;

    public PushAuthMode Mode => _settings.ParsedMode;

    public CredentialSet BasicUsers { get; } = CredentialSet.From(
        options.Value.Basic.Username, options.Value.Basic.Password, options.Value.Basic.SecondaryUsername, options.Value.Basic.SecondaryPassword);

    /// <summary>Empty when only an external authorization server issues tokens.</summary>
    public CredentialSet OAuth2Clients { get; } = CredentialSet.From(
        options.Value.OAuth2.ClientId, options.Value.OAuth2.ClientSecret, options.Value.OAuth2.SecondaryClientId, options.Value.OAuth2.SecondaryClientSecret);

    public bool IssuesTokens => Mode == PushAuthMode.OAuth2 && !OAuth2Clients.IsEmpty;
}
