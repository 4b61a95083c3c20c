using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace CallPush.Api.Features.ApiKeys;

/// <summary>
/// <c>cpk_&lt;prefix&gt;_&lt;secret&gt;</c>: a visible prefix of 8 lower-case hex characters that names the key in logs and in
/// the audit, and a secret of 32 random bytes (base64url). Only the SHA-256 of the whole key is stored: the key is
/// 256 random bits, so a fast hash is as good as a slow one.
/// </summary>
internal static class ApiKeyFormat
{
    public const string Marker = "cpk_";
    public const int PrefixLength = 8;
    private const int SecretBytes = 32;
    private const int SecretLength = 43; // base64url of 32 bytes, unpadded

    public static string NewPrefix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(PrefixLength / 2));

    public static string NewKey(string prefix) => Marker + prefix + "_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>The prefix of a value shaped like a key; false for anything else (a push token, a password).</summary>
    public static bool TryReadPrefix(string value, out string prefix)
    {
        prefix = string.Empty;
        if (value.Length != Marker.Length + PrefixLength + 1 + SecretLength
            || !value.StartsWith(Marker, StringComparison.Ordinal)
            || value[Marker.Length + PrefixLength] != '_')
        {
            return false;
        }
        var candidate = value.AsSpan(Marker.Length, PrefixLength);
        foreach (var c in candidate)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }
        foreach (var c in value.AsSpan(Marker.Length + PrefixLength + 1))
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }
        prefix = candidate.ToString();
        return true;
    }

    public static bool IsPrefix(string value) => value.Length == PrefixLength && value.All(char.IsAsciiHexDigitLower);

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.ASCII.GetBytes(key));
}
