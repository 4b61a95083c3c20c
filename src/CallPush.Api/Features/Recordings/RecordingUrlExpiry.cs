using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;

namespace CallPush.Api.Features.Recordings;

/// <summary>When a signed URL stops working, if its query says so: COS's q-sign-time, S3's X-Amz-Date and X-Amz-Expires, or Expires.</summary>
internal static class RecordingUrlExpiry
{
    public static DateTimeOffset? ExpiresAt(Uri url)
    {
        if (string.IsNullOrEmpty(url.Query))
        {
            return null;
        }
        var query = QueryHelpers.ParseQuery(url.Query);
        // COS signatures: q-sign-time=<start>;<end>, Unix seconds.
        if (query.TryGetValue("q-sign-time", out var signTime) && signTime.ToString().Split(';') is [_, var end]
            && long.TryParse(end, NumberStyles.None, CultureInfo.InvariantCulture, out var endSeconds))
        {
            return DateTimeOffset.FromUnixTimeSeconds(endSeconds);
        }
        if (query.TryGetValue("X-Amz-Date", out var amzDate) && query.TryGetValue("X-Amz-Expires", out var amzExpires)
            && DateTimeOffset.TryParseExact(amzDate.ToString(), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var signedAt)
            && long.TryParse(amzExpires.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var lifetime))
        {
            return signedAt.AddSeconds(lifetime);
        }
        if (query.TryGetValue("Expires", out var expires)
            && long.TryParse(expires.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var expiresSeconds))
        {
            return DateTimeOffset.FromUnixTimeSeconds(expiresSeconds);
        }
        return null;
    }
}
