using System.Security.Cryptography;

namespace CallPush.Api.Features.Auth;

/// <summary>A configured identity (username or client id) with one secret, and the source it belongs to (null: the global credentials).</summary>
internal sealed record ClientCredential(string Id, StoredSecret Secret, string? Source = null)
{
    private readonly byte[] _idDigest = StoredSecret.Digest(Id);

    public bool Matches(ReadOnlySpan<char> id, ReadOnlySpan<char> secret) => Matches(StoredSecret.Digest(id), secret);

    /// <summary>
    /// The id is compared in constant time too, but it is not a secret (the console and the start-up log show it),
    /// so a hashed secret is only worked on when the id matched.
    /// </summary>
    public bool Matches(byte[] idDigest, ReadOnlySpan<char> secret) =>
        CryptographicOperations.FixedTimeEquals(idDigest, _idDigest) && Secret.Matches(secret);
}
