namespace CallPush.Api.Features.Auth;

/// <summary>
/// The credentials currently accepted: per owner (the global credentials, or a source) a primary pair and, while a
/// secret is being changed, a secondary one. An id belongs to one owner only (checked at start).
/// </summary>
internal sealed class CredentialSet(IReadOnlyList<ClientCredential> credentials)
{
    public IReadOnlyList<ClientCredential> All { get; } = credentials;

    public bool IsEmpty => All.Count == 0;

    public bool Matches(ReadOnlySpan<char> id, ReadOnlySpan<char> secret) => Match(id, secret) is not null;

    /// <summary>The credential the pair matches, or null; every credential is compared, so the time does not say which.</summary>
    public ClientCredential? Match(ReadOnlySpan<char> id, ReadOnlySpan<char> secret)
    {
        var idDigest = StoredSecret.Digest(id);
        ClientCredential? matched = null;
        foreach (var credential in All)
        {
            if (credential.Matches(idDigest, secret))
            {
                matched ??= credential;
            }
        }
        return matched;
    }

    public CredentialSet Concat(CredentialSet other) => new([.. All, .. other.All]);

    public static CredentialSet From(string? id, string? secret, string? secondaryId, string? secondarySecret, string? source = null)
    {
        var list = new List<ClientCredential>(2);
        if (!string.IsNullOrEmpty(id) && !string.IsNullOrEmpty(secret))
        {
            list.Add(new ClientCredential(id, StoredSecret.Parse(secret), source));
        }
        if (!string.IsNullOrEmpty(secondarySecret) && (secondaryId ?? id) is { Length: > 0 } otherId)
        {
            list.Add(new ClientCredential(otherId, StoredSecret.Parse(secondarySecret), source));
        }
        return new CredentialSet(list);
    }
}
