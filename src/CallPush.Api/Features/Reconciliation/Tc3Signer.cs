using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CallPush.Api.Features.Reconciliation;

/// <summary>What a TC3-HMAC-SHA256 signature covers for a JSON POST to the API root.</summary>
internal sealed record Tc3Request(string Service, string Host, string ContentType, byte[] Payload, long Timestamp);

/// <summary>
/// Tencent Cloud API 3.0 request signing (TC3-HMAC-SHA256): a canonical request over the content type, the host
/// (without a port) and the payload's SHA-256; a key derived from the secret key through the UTC date, the service
/// and "tc3_request"; the hex HMAC of the string to sign.
/// </summary>
internal static class Tc3Signer
{
    public const string Algorithm = "TC3-HMAC-SHA256";
    private const string SignedHeaders = "content-type;host";
    private const string Terminator = "tc3_request";

    public static string Authorization(string secretId, string secretKey, Tc3Request request)
    {
        var scope = CredentialScope(request);
        return $"{Algorithm} Credential={secretId}/{scope}, SignedHeaders={SignedHeaders}, Signature={Signature(secretKey, request)}";
    }

    public static string Signature(string secretKey, Tc3Request request)
    {
        var date = Date(request.Timestamp);
        var key = Hmac(Encoding.UTF8.GetBytes("TC3" + secretKey), date);
        key = Hmac(key, request.Service);
        key = Hmac(key, Terminator);
        return Convert.ToHexStringLower(Hmac(key, StringToSign(request)));
    }

    public static string CanonicalRequest(Tc3Request request) => string.Join('\n',
        "POST",
        "/",
        string.Empty,
        $"content-type:{request.ContentType}\nhost:{request.Host.ToLowerInvariant()}\n",
        SignedHeaders,
        Convert.ToHexStringLower(SHA256.HashData(request.Payload)));

    public static string StringToSign(Tc3Request request) => string.Join('\n',
        Algorithm,
        request.Timestamp.ToString(CultureInfo.InvariantCulture),
        CredentialScope(request),
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalRequest(request)))));

    private static string CredentialScope(Tc3Request request) => $"{Date(request.Timestamp)}/{request.Service}/{Terminator}";

    private static string Date(long timestamp) =>
        DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static byte[] Hmac(byte[] key, string message) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(message));
}
