using System.Text.Json.Serialization;

namespace CallPush.Simulator.Sessions;

// The bodies exactly as the platform's push protocol names their fields (PascalCase, its own spelling of IVR/URL).

internal sealed record CdrBody
{
    public required string SessionId { get; init; }
    public required string Caller { get; init; }
    public required string Callee { get; init; }
    public required int Direction { get; init; }
    public required long Duration { get; init; }
    public SeatUserBody? SeatUser { get; init; }
    public string CallerLocation { get; init; } = string.Empty;
    public long IVRDuration { get; init; }
    public long RingTimestamp { get; init; }
    public long AcceptTimestamp { get; init; }
    public required long EndedTimestamp { get; init; }
    public string[]? IVRKeyPressed { get; init; }
    public KeyPressBody[]? IVRKeyPressedEx { get; init; }
    public required string HungUpSide { get; init; }
    public required ParticipantBody[] ServeParticipants { get; init; }
    public required string EndStatusString { get; init; }
    public required long StartTimestamp { get; init; }
    public long QueuedTimestamp { get; init; }
    public KeyPressBody[]? PostIVRKeyPressed { get; init; }
    public long QueuedSkillGroupId { get; init; }
    public string QueuedSkillGroupName { get; init; } = string.Empty;
    public required long SdkAppId { get; init; }
    public string RecordId { get; init; } = string.Empty;
    public string UserRemark { get; init; } = string.Empty;
    public string Uui { get; init; } = string.Empty;
    public TelLocationBody? TelLocation { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? VoicemailRecordURL { get; init; }
}

internal sealed record SeatUserBody(
    string Mail, string Name, string Nick, string Phone, string UserId, string StaffNumber, string[] SkillGroupNameList);

internal sealed record ParticipantBody
{
    public required string Mail { get; init; }
    public string Phone { get; init; } = string.Empty;
    public long RingTimestamp { get; init; }
    public long AcceptTimestamp { get; init; }
    public long EndedTimestamp { get; init; }
    public string RecordId { get; init; } = string.Empty;
    public required string Type { get; init; }
    public string TransferFrom { get; init; } = string.Empty;
    public string TransferFromType { get; init; } = string.Empty;
    public string TransferTo { get; init; } = string.Empty;
    public string TransferToType { get; init; } = string.Empty;
    public long SkillGroupId { get; init; }
    public required string EndStatusString { get; init; }
    public required int Sequence { get; init; }
    public long StartTimestamp { get; init; }
    public string SkillGroupName { get; init; } = string.Empty;
    public int SkillGroupPriority { get; init; }
}

internal sealed record KeyPressBody(string Key, string Label);

internal sealed record TelLocationBody(string TelNumber, string Country, string Province, string City, string Operator);

internal sealed record RecordBody
{
    public required long SdkAppId { get; init; }
    public required string RecordId { get; init; }
    public required string SessionId { get; init; }
    public required long Timestamp { get; init; }
    public required string EndpointUser { get; init; }
    public required string RecordURL { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CustomRecordURL { get; init; }
}

/// <summary>The platform sends the caller's number here as a JSON number, as in its own sample.</summary>
internal sealed record VoicemailBody(long SdkAppId, string SessionId, long Timestamp, string RecordURL, long EndpointUser);

[JsonSerializable(typeof(CdrBody))]
[JsonSerializable(typeof(RecordBody))]
[JsonSerializable(typeof(VoicemailBody))]
internal sealed partial class PushBodyJson : JsonSerializerContext;
