using System.Text.Json.Serialization;
using Duende.IdentityModel;

namespace CallPush.Api.Features.Auth;

/// <summary>The form (or JSON object) a client posts to /oauth/token; the endpoint reads it itself, leniently.</summary>
public sealed class TokenRequest
{
    [JsonPropertyName(OidcConstants.TokenRequest.GrantType)]
    public string? GrantType { get; init; }

    [JsonPropertyName(OidcConstants.TokenRequest.ClientId)]
    public string? ClientId { get; init; }

    [JsonPropertyName(OidcConstants.TokenRequest.ClientSecret)]
    public string? ClientSecret { get; init; }
}

/// <summary>RFC 6749 section 5.1 successful answer.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName(OidcConstants.TokenResponse.AccessToken)] string AccessToken,
    [property: JsonPropertyName(OidcConstants.TokenResponse.TokenType)] string TokenType,
    [property: JsonPropertyName(OidcConstants.TokenResponse.ExpiresIn)] long ExpiresIn);

/// <summary>RFC 6749 section 5.2 error answer.</summary>
public sealed record TokenError(
    [property: JsonPropertyName(OidcConstants.TokenResponse.Error)] string Error,
    [property: JsonPropertyName(OidcConstants.TokenResponse.ErrorDescription)] string Description);
