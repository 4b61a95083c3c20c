using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CallPush.Api.Features.Auth;

/// <summary>
/// A configured password or client secret, given in plain text or as <c>pbkdf2-sha256$iterations$salt$hash</c>
/// (base64), checked in constant time.
/// </summary>
internal sealed class StoredSecret
{
    private const string HashPrefix = "pbkdf2-sha256$";
    private const int DefaultIterations = 210_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    // Keys the digests below so they are worthless outside this process.
    private static readonly byte[] ProcessKey = RandomNumberGenerator.GetBytes(32);

    private readonly byte[]? _plainDigest;
    private readonly byte[]? _salt;
    private readonly byte[]? _hash;
    private readonly int _iterations;
    private byte[]? _verifiedDigest;

    private StoredSecret(byte[] plainDigest) => _plainDigest = plainDigest;

    private StoredSecret(int iterations, byte[] salt, byte[] hash)
    {
        _iterations = iterations;
        _salt = salt;
        _hash = hash;
    }

    public bool IsHashed => _hash is not null;

    public static bool LooksHashed(string value) => value.StartsWith(HashPrefix, StringComparison.Ordinal);

    /// <summary>Reads a configured value; false only for a malformed hash.</summary>
    public static bool TryParse(string value, out StoredSecret secret)
    {
        secret = null!;
        if (!LooksHashed(value))
        {
            secret = new StoredSecret(Digest(value));
            return true;
        }
        var parts = value.Split('$');
        if (parts.Length != 4 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 10_000)
        {
            return false;
        }
        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var hash = Convert.FromBase64String(parts[3]);
            if (salt.Length < 8 || hash.Length != HashBytes)
            {
                return false;
            }
            secret = new StoredSecret(iterations, salt, hash);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static StoredSecret Parse(string value) =>
        TryParse(value, out var secret) ? secret : throw new FormatException("malformed secret hash");

    public static string Hash(string secret, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(secret, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{HashPrefix}{iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>
    /// A hashed secret costs one PBKDF2 run (tens of milliseconds) the first time the right value is presented;
    /// after that the keyed digest of that value is remembered and compared instead, so each push costs one HMAC.
    /// That is safe because only a value that passed PBKDF2 is remembered, the key never leaves the process, and
    /// wrong values still pay the full PBKDF2 price (and count towards the failure limit).
    /// </summary>
    public bool Matches(ReadOnlySpan<char> presented)
    {
        var digest = Digest(presented);
        if (_plainDigest is not null)
        {
            return CryptographicOperations.FixedTimeEquals(digest, _plainDigest);
        }
        if (Volatile.Read(ref _verifiedDigest) is { } verified && CryptographicOperations.FixedTimeEquals(digest, verified))
        {
            return true;
        }
        var derived = Rfc2898DeriveBytes.Pbkdf2(presented, _salt!, _iterations, HashAlgorithmName.SHA256, HashBytes);
        if (!CryptographicOperations.FixedTimeEquals(derived, _hash!))
        {
            return false;
        }
        Volatile.Write(ref _verifiedDigest, digest);
        return true;
    }

    /// <summary>A fixed-length keyed digest, so comparisons take the same time whatever the lengths.</summary>
    public static byte[] Digest(ReadOnlySpan<char> value)
    {
        var bytes = Encoding.UTF8.GetBytes(value.ToArray());
        try
        {
            return HMACSHA256.HashData(ProcessKey, bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
