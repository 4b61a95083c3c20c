namespace CallPush.Api.Features.Auth;

/// <summary>
/// The authentication scheme that guards /push for the configured mode, or no name when pushes are accepted without
/// authentication. Its names are also the security schemes of the OpenAPI document.
/// </summary>
public sealed record PushAuthScheme(string? Name)
{
    public const string Realm = "CallPush";
    public const string Basic = "basic";
    public const string Bearer = "bearer";

    public static PushAuthScheme For(PushAuthMode mode) => new(mode switch
    {
        PushAuthMode.Basic => Basic,
        PushAuthMode.OAuth2 => Bearer,
        _ => null,
    });
}
