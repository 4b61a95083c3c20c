namespace CallPush.Api.Persistence;

/// <summary>An access token issued by POST /oauth/token, kept only as the SHA-256 of its value.</summary>
public sealed class AccessToken
{
    public required byte[] TokenHash { get; set; }
    public required string ClientId { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>The configured source whose client the token was issued to (null: the global client); the token writes only that source's SdkAppIds.</summary>
    public string? SourceName { get; set; }
}
