using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

public enum PushAuthMode
{
    None,
    Basic,
    OAuth2,
}

/// <summary>How pushes are authenticated: the three choices the platform's console offers.</summary>
public sealed class PushAuthOptions
{
    public const string Section = "CallPush:Auth";

    /// <summary>None, Basic or OAuth2; read as text so that a wrong value is reported by its key.</summary>
    public string? Mode { get; set; }

    public BasicAuthOptions Basic { get; set; } = new();

    public OAuth2Options OAuth2 { get; set; } = new();

    /// <summary>Authentication failures one client address may cause per <see cref="FailureWindow"/> before it is answered 429.</summary>
    public int MaxFailures { get; set; } = 10;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    public PushAuthMode ParsedMode =>
        Enum.TryParse<PushAuthMode>(Mode, ignoreCase: true, out var mode) && Enum.IsDefined(mode) ? mode : PushAuthMode.None;

    public bool ModeIsSet => !string.IsNullOrWhiteSpace(Mode);
}

public sealed class BasicAuthOptions
{
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>A second pair accepted at the same time, for changing the password without failed pushes; the username defaults to <see cref="Username"/>.</summary>
    public string? SecondaryUsername { get; set; }
    public string? SecondaryPassword { get; set; }

    /// <summary>True when any of the four keys is given, even empty.</summary>
    public bool AnySet => Username is not null || Password is not null || SecondaryUsername is not null || SecondaryPassword is not null;

    internal CredentialSet Credentials(string? source) => CredentialSet.From(Username, Password, SecondaryUsername, SecondaryPassword, source);
}

/// <summary>A client that /oauth/token issues tokens to, with a secondary pair for changing the secret.</summary>
public class OAuth2ClientOptions
{
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string? SecondaryClientId { get; set; }
    public string? SecondaryClientSecret { get; set; }

    /// <summary>True when any of the four keys is given, even empty.</summary>
    public bool AnySet => ClientId is not null || ClientSecret is not null || SecondaryClientId is not null || SecondaryClientSecret is not null;

    internal CredentialSet Credentials(string? source) => CredentialSet.From(ClientId, ClientSecret, SecondaryClientId, SecondaryClientSecret, source);
}

public sealed class OAuth2Options : OAuth2ClientOptions
{

    /// <summary>How long a token issued by POST /oauth/token is accepted.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An external authorization server's RFC 7662 introspection endpoint, for tokens it issued.</summary>
    public Uri? IntrospectionEndpoint { get; set; }
    public string? IntrospectionClientId { get; set; }
    public string? IntrospectionClientSecret { get; set; }

    /// <summary>When set, an introspected token must have been issued to this client id.</summary>
    public string? IntrospectionAcceptedClientId { get; set; }

    public TimeSpan IntrospectionCacheDuration { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan IntrospectionTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public bool IssuesTokens => !string.IsNullOrEmpty(ClientId);
}
