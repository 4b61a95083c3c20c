namespace CallPush.Api.Persistence;

/// <summary>An analyst API key: stored only as the SHA-256 of the key, found by its short visible prefix.</summary>
public sealed class ApiKey
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required byte[] KeyHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>The configured sources whose rows the key may read; empty: every row.</summary>
    public string[] Sources { get; set; } = [];
}
