namespace CallPush.Api.Features.Auth;

/// <summary>
/// What push authentication reads of <c>CallPush:Sources:&lt;name&gt;</c>: each source's SdkAppIds and its own push
/// credentials, <c>CallPush:Sources:&lt;name&gt;:Auth:Basic</c> and <c>...:Auth:OAuth2</c>, in the shapes of the global ones.
/// </summary>
public sealed class PushSourcesOptions
{
    public const string Section = "CallPush";

    public Dictionary<string, PushSourceOptions> Sources { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class PushSourceOptions
{
    public List<long> SdkAppIds { get; set; } = [];

    public SourceAuthOptions? Auth { get; set; }

    public bool HasBasic => Auth?.Basic?.AnySet == true;

    public bool HasOAuth2 => Auth?.OAuth2?.AnySet == true;

    public bool HasCredentials => HasBasic || HasOAuth2;

    /// <summary>Whether the source pushes with its own credentials in this mode.</summary>
    public bool HasCredentialsFor(PushAuthMode mode) => mode switch
    {
        PushAuthMode.Basic => HasBasic,
        PushAuthMode.OAuth2 => HasOAuth2,
        _ => false,
    };
}

/// <summary>A source's own push credentials; the token lifetime and introspection stay global.</summary>
public sealed class SourceAuthOptions
{
    public BasicAuthOptions? Basic { get; set; }

    public OAuth2ClientOptions? OAuth2 { get; set; }
}
