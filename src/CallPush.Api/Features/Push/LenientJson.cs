using System.Globalization;
using System.Text.Json;

namespace CallPush.Api.Features.Push;

/// <summary>
/// Reads fields the way the platform actually sends them: names in any letter case, numbers as strings and
/// strings as numbers, null or empty where a value is missing, and Unix timestamps where 0 means "did not happen".
/// </summary>
internal static class LenientJson
{
    // Below this a timestamp is in seconds (it would be the year 5138 as seconds), above it in milliseconds.
    private const long MillisecondThreshold = 100_000_000_000;

    public static JsonElement? Field(this JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var property in obj.EnumerateObject())
        {
            if (property.NameEquals(name) || string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : property.Value;
            }
        }
        return null;
    }

    public static string? Text(this JsonElement obj, string name) => obj.Field(name) is { } value ? AsText(value) : null;

    public static string? AsText(JsonElement value)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.Object or JsonValueKind.Array => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        // PostgreSQL text cannot hold NUL; the untouched value stays in push_log.
        return text.Contains('\0', StringComparison.Ordinal) ? text.Replace("\0", string.Empty, StringComparison.Ordinal) : text;
    }

    public static long? Integer(this JsonElement obj, string name)
    {
        if (obj.Field(name) is not { } value)
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out var whole))
            {
                return whole;
            }
            return value.TryGetDouble(out var real) && Math.Abs(real) < long.MaxValue ? (long)real : null;
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()?.Trim();
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && Math.Abs(real) < long.MaxValue
                ? (long)real
                : null;
        }
        return null;
    }

    public static int? Int32(this JsonElement obj, string name) =>
        obj.Integer(name) is { } value && value is >= int.MinValue and <= int.MaxValue ? (int)value : null;

    /// <summary>A positive platform id; 0 and negatives mean "none".</summary>
    public static long? Id(this JsonElement obj, string name) => obj.Integer(name) is > 0 and var id ? id : null;

    public static DateTimeOffset? UnixTime(this JsonElement obj, string name) => FromUnix(obj.Integer(name));

    public static DateTimeOffset? FromUnix(long? value) => value switch
    {
        null or <= 0 => null,
        < MillisecondThreshold => DateTimeOffset.FromUnixTimeSeconds(value.Value),
        <= 253_402_300_799_999 => DateTimeOffset.FromUnixTimeMilliseconds(value.Value),
        _ => null,
    };

    public static JsonElement? Object(this JsonElement obj, string name) =>
        obj.Field(name) is { ValueKind: JsonValueKind.Object } value ? value : null;

    public static IEnumerable<JsonElement> Array(this JsonElement obj, string name) =>
        obj.Field(name) is { ValueKind: JsonValueKind.Array } value ? value.EnumerateArray() : [];
}
