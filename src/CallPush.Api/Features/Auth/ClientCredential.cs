using System.Security.Cryptography;

namespace CallPush.Api.Features.Auth;

/// <summary>A configured identity (username or client id) with one secret.</summary>
internal sealed record ClientCredential(string Id, StoredSecret Secret)
{
    private readonly byte[] _idDigest = StoredSecret.Digest(Id);

    /// <summary>
    /// The id is compared in constant time too, but it is not a secret (the console and the start-up log show it),
    /// so a hashed secret is only worked on when the id matched.
    /// </summary>
    public bool Matches(ReadOnlySpan<char> id, ReadOnlySpan<char> secret) =>
        CryptographicOperations.FixedTimeEquals(StoredSecret.Digest(id), _idDigest) && Secret.Matches(secret);
}
