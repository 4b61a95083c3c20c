using System.Globalization;
using System.Text;
using CallPush.Api.Persistence;

namespace CallPush.Api.Features.Recordings;

/// <summary>
/// Where an archived recording is stored: <c>{SdkAppId}/{yyyy}/{MM}/{dd}/{SessionId}/{file name}</c>, dated by the
/// recording (or its enqueueing) in UTC. Session ids, record ids and endpoint users come from pushes, so every part
/// keeps only letters, digits and <c>- _ . @</c>.
/// </summary>
internal static class RecordingStorageKey
{
    private static readonly string[] AudioExtensions = [".mp3", ".wav", ".m4a", ".ogg"];
    private const int MaxPartLength = 100;

    public static string For(long sdkAppId, string sessionId, string kind, string? recordId, string? endpointUser,
        DateTimeOffset? recordedAt, DateTimeOffset enqueuedAt, Uri? sourceUrl)
    {
        var day = (recordedAt ?? enqueuedAt).UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture,
            $"{sdkAppId}/{day:yyyy}/{day:MM}/{day:dd}/{Sanitize(sessionId)}/{FileName(kind, recordId, endpointUser, sourceUrl)}");
    }

    public static string FileName(string kind, string? recordId, string? endpointUser, Uri? sourceUrl)
    {
        var name = kind == RecordingFile.VoicemailKind
            ? kind
            : string.Join('_', new[] { kind, recordId, endpointUser }.Where(p => !string.IsNullOrEmpty(p)));
        return Sanitize(name) + Extension(sourceUrl);
    }

    public static string Extension(Uri? sourceUrl)
    {
        var extension = sourceUrl is null ? string.Empty : Path.GetExtension(sourceUrl.AbsolutePath).ToLowerInvariant();
        return AudioExtensions.Contains(extension) ? extension : ".mp3";
    }

    public static string Sanitize(string part)
    {
        var builder = new StringBuilder(Math.Min(part.Length, MaxPartLength));
        foreach (var c in part.AsSpan(0, Math.Min(part.Length, MaxPartLength)))
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@' ? c : '_');
        }
        // "", "." and ".." would name no folder or the one above.
        return builder.ToString().Trim('.') is { Length: > 0 } ? builder.ToString() : "_" + builder;
    }
}
