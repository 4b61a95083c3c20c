using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Reprocessing;

internal static class ReprocessingTestSupport
{
    public const string SampleSessionId = "99a1c8f8-eb3d-4xxx-8401-5f6aa8761232";
    public const long SampleEndedTimestamp = 1677140081;

    /// <summary>
    /// The protocol document's CDR as the platform sends it, trailing commas included: today's parser reads it
    /// leniently, a parser that only took strict JSON rejected it with ErrCode 4003.
    /// </summary>
    public static string LenientCdr(string sessionId, long endedTimestamp, string caller) => Samples.Cdr
        .Replace(SampleSessionId, sessionId, StringComparison.Ordinal)
        .Replace($"\"EndedTimestamp\": {SampleEndedTimestamp}", $"\"EndedTimestamp\": {endedTimestamp}", StringComparison.Ordinal)
        .Replace("\"Caller\": \"0086400xxx6666\"", $"\"Caller\": \"{caller}\"", StringComparison.Ordinal);

    public static string StrictCdr(string sessionId, long endedTimestamp, string caller) => Samples.CdrWith(cdr =>
    {
        cdr["SessionId"] = sessionId;
        cdr["EndedTimestamp"] = endedTimestamp;
        cdr["Caller"] = caller;
    });

    /// <summary>Stores a push_log row as an older parser left it: rejected, its bytes in raw_body, with that parser's reason.</summary>
    public static async Task<long> StoreRejectedAsync(this CallPushApp app, string dedupKey, string action, string body, int errCode, string reason,
        DateTimeOffset receivedAt)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        return await app.ScalarAsync<long>("""
            INSERT INTO push_log (dedup_key, push_uuid, action, version, received_at, status, error_code, error, body_bytes, raw_body, source)
            VALUES ($1, $1, $2, '1', $3, 'rejected', $4, $5, $6, $7, 'push')
            RETURNING id
            """, dedupKey, action, receivedAt, errCode, reason, bytes.Length, bytes);
    }

    public static async Task<(int Status, JsonElement Body)> ReprocessAsync(this HttpClient analyst, DateTimeOffset from, DateTimeOffset to,
        string? action = null, string? status = null)
    {
        using var response = await analyst.PostAsJsonAsync("/reprocessing", new Dictionary<string, string?>
        {
            ["from"] = from.ToString("o", CultureInfo.InvariantCulture),
            ["to"] = to.ToString("o", CultureInfo.InvariantCulture),
            ["action"] = action,
            ["status"] = status,
        });
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public static long Count(this JsonElement summary, string name) => summary.GetProperty(name).GetInt64();

    /// <summary>Every row version a reprocessing could touch, so a run that writes nothing can be told from one that writes equal values.</summary>
    public static async Task<string> RowVersionsAsync(this CallPushApp app) => string.Join("\n",
        await app.ScalarAsync<string>("SELECT string_agg(id || ':' || xmin::text, ',' ORDER BY id) FROM push_log"),
        await app.ScalarAsync<string>("SELECT string_agg(id || ':' || xmin::text, ',' ORDER BY id) FROM call_sessions"),
        await app.ScalarAsync<string>("SELECT string_agg(id || ':' || xmin::text, ',' ORDER BY id) FROM serve_participants"),
        await app.ScalarAsync<string>("SELECT string_agg(id || ':' || xmin::text, ',' ORDER BY id) FROM agents"),
        await app.ScalarAsync<string>("SELECT string_agg(skill_group_id || ':' || xmin::text, ',' ORDER BY skill_group_id) FROM skill_groups"),
        await app.ScalarAsync<string>("SELECT string_agg(id || ':' || xmin::text, ',' ORDER BY id) FROM recordings"),
        // The archive worker updates recording_files on its own; a new enqueue would set enqueued_at again.
        await app.ScalarAsync<string>("SELECT string_agg(id || ':' || enqueued_at, ',' ORDER BY id) FROM recording_files"));
}
