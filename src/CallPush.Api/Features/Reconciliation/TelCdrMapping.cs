using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CallPush.Api.Features.Reconciliation;

/// <summary>A push the platform would have sent, rebuilt from a pulled TelCdrInfo: its action, dedup key and body.</summary>
internal sealed record RebuiltPush(string Action, string DedupKey, byte[] Body);

/// <summary>
/// TelCdrInfo is a superset of the pushed CDR with a few fields named or typed differently. A pulled record is turned
/// into the pushes it stands for (the CDR, and a record push per recording URL it names), so that the push's own
/// parser and store handle it.
/// </summary>
internal static class TelCdrMapping
{
    public static long? EndedTimestamp(JsonElement cdr) =>
        cdr.TryGetProperty("EndedTimestamp", out var ended) && ended.TryGetInt64(out var value) && value > 0 ? value : null;

    public static string? SessionId(JsonElement cdr) =>
        cdr.TryGetProperty("SessionId", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } text ? text : null;

    public static string DedupKey(long sdkAppId, string sessionId, long? endedTimestamp) =>
        string.Create(CultureInfo.InvariantCulture, $"reconcile:{sdkAppId}:{sessionId}:{endedTimestamp ?? 0}");

    public static IReadOnlyList<RebuiltPush> Pushes(long sdkAppId, JsonElement telCdr)
    {
        var sessionId = SessionId(telCdr) ?? throw new ArgumentException("TelCdrInfo has no SessionId", nameof(telCdr));
        var ended = EndedTimestamp(telCdr);
        var key = DedupKey(sdkAppId, sessionId, ended);
        var cdr = JsonNode.Parse(telCdr.GetRawText())!.AsObject();
        cdr["SdkAppId"] = sdkAppId;
        Rename(cdr, "UUI", "Uui");
        Rename(cdr, "Remark", "UserRemark");
        Rename(cdr, "PostIVRKeyPressedEx", "PostIVRKeyPressed");
        if (cdr["CallType"] is JsonValue callType && callType.GetValueKind() == JsonValueKind.Number)
        {
            cdr["CallType"] = callType.ToJsonString();
        }
        if (cdr["VoicemailRecordURL"] is JsonArray voicemails)
        {
            cdr["VoicemailRecordURL"] = voicemails.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var url) ? url : null)
                .FirstOrDefault(url => !string.IsNullOrWhiteSpace(url));
        }

        var pushes = new List<RebuiltPush> { new("cdr", key, JsonSerializer.SerializeToUtf8Bytes(cdr)) };
        // The user side's recording belongs to the caller of an inbound call and the callee of an outbound one.
        var userSide = Text(telCdr, "Direction") == "1" ? Text(telCdr, "Callee") : Text(telCdr, "Caller");
        AddRecord(pushes, key, sdkAppId, sessionId, ended, Text(telCdr, "RecordId"), userSide,
            Text(telCdr, "RecordURL"), Text(telCdr, "CustomRecordURL"));
        if (telCdr.TryGetProperty("ServeParticipants", out var participants) && participants.ValueKind == JsonValueKind.Array)
        {
            foreach (var participant in participants.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.Object))
            {
                AddRecord(pushes, key, sdkAppId, sessionId, EndedTimestamp(participant) ?? ended, Text(participant, "RecordId"),
                    Text(participant, "Mail") ?? Text(participant, "Phone"), Text(participant, "RecordURL"), Text(participant, "CustomRecordURL"));
            }
        }
        return pushes;
    }

    private static void AddRecord(List<RebuiltPush> pushes, string cdrKey, long sdkAppId, string sessionId, long? timestamp,
        string? recordId, string? endpointUser, string? recordUrl, string? customRecordUrl)
    {
        if (string.IsNullOrWhiteSpace(recordUrl) && string.IsNullOrWhiteSpace(customRecordUrl))
        {
            return;
        }
        var record = new JsonObject
        {
            ["SdkAppId"] = sdkAppId,
            ["SessionId"] = sessionId,
            ["RecordId"] = recordId,
            ["EndpointUser"] = endpointUser,
            ["Timestamp"] = timestamp,
            ["RecordURL"] = recordUrl,
        };
        if (!string.IsNullOrWhiteSpace(customRecordUrl))
        {
            record["CustomRecordURL"] = customRecordUrl;
        }
        var which = SHA256.HashData(Encoding.UTF8.GetBytes($"{recordId}|{endpointUser}"));
        var key = $"{cdrKey}:record:{Convert.ToHexStringLower(which)[..16]}";
        if (pushes.All(p => p.DedupKey != key))
        {
            pushes.Add(new RebuiltPush("record", key, JsonSerializer.SerializeToUtf8Bytes(record)));
        }
    }

    private static void Rename(JsonObject cdr, string from, string to)
    {
        if (cdr.ContainsKey(from) && !cdr.ContainsKey(to))
        {
            cdr[to] = cdr[from]?.DeepClone();
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } text ? text : null,
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
