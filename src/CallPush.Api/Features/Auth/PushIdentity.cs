using System.Security.Claims;

namespace CallPush.Api.Features.Auth;

/// <summary>Who a push authenticated as: the username or client id, and the configured source it belongs to (null: the global credentials).</summary>
internal sealed record PushIdentity(string Client, string? Source)
{
    public const string SourceClaim = "callpush:source";

    public ClaimsIdentity ToClaims(string scheme)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, Client)], scheme);
        if (Source is not null)
        {
            identity.AddClaim(new Claim(SourceClaim, Source));
        }
        return identity;
    }

    /// <summary>The source of an authenticated push; null for the global credentials or when pushes are not authenticated.</summary>
    public static string? SourceOf(ClaimsPrincipal user) => user.FindFirst(SourceClaim)?.Value;
}
