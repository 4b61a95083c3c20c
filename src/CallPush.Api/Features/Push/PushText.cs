namespace CallPush.Api.Features.Push;

/// <summary>Text from the request (query values, headers) as push_log can keep it.</summary>
internal static class PushText
{
    public const int MaxDedupKeyLength = 128;
    public const int MaxLength = 256;

    /// <summary>
    /// Cut to a length, and with U+0000 replaced: PostgreSQL text and jsonb cannot hold it, and a push must be kept
    /// even when its query or headers carry one.
    /// </summary>
    public static string? Storable(string? value, int maxLength = MaxLength)
    {
        if (value is null)
        {
            return null;
        }
        var cut = value.Length > maxLength ? value[..maxLength] : value;
        return cut.Contains('\0', StringComparison.Ordinal) ? cut.Replace('\0', '\uFFFD') : cut;
    }
}
