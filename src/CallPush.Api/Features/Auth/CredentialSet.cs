namespace CallPush.Api.Features.Auth;

/// <summary>The credentials currently accepted: a primary pair and, while a secret is being changed, a secondary one.</summary>
internal sealed class CredentialSet(IReadOnlyList<ClientCredential> credentials)
{
    public IReadOnlyList<ClientCredential> All { get; } = credentials;

    public bool IsEmpty => All.Count == 0;

    public bool Matches(ReadOnlySpan<char> id, ReadOnlySpan<char> secret)
    {
        var matched = false;
        foreach (var credential in All)
        {
            matched |= credential.Matches(id, secret);
        }
        return matched;
    }

    public static CredentialSet From(string? id, string? secret, string? secondaryId, string? secondarySecret)
    {
        var list = new List<ClientCredential>(2);
        if (!string.IsNullOrEmpty(id) && !string.IsNullOrEmpty(secret))
        {
            list.Add(new ClientCredential(id, StoredSecret.Parse(secret)));
        }
        if (!string.IsNullOrEmpty(secondarySecret) && (secondaryId ?? id) is { Length: > 0 } otherId)
        {
            list.Add(new ClientCredential(otherId, StoredSecret.Parse(secondarySecret)));
        }
        return new CredentialSet(list);
    }
}
