namespace CallPush.Api.Persistence;

public sealed class PushLogEntry
{
    public long Id { get; set; }
    public required string DedupKey { get; set; }
    public string? PushUuid { get; set; }
    public string? Action { get; set; }
    public string? Version { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public long? SdkAppId { get; set; }
    public string? SessionId { get; set; }
    public required string Status { get; set; }
    public int ErrorCode { get; set; }
    public string? Error { get; set; }
    public int BodyBytes { get; set; }
    public string? Body { get; set; }
    public byte[]? RawBody { get; set; }
    public string? Headers { get; set; }
}

public sealed class CallSession
{
    public long Id { get; set; }
    public long SdkAppId { get; set; }
    public required string SessionId { get; set; }
    public string? Caller { get; set; }
    public string? Callee { get; set; }
    public short? Direction { get; set; }
    public int? DurationSeconds { get; set; }
    public int? IvrDurationSeconds { get; set; }
    public string? CallerLocation { get; set; }
    public long? SeatAgentId { get; set; }
    public Agent? SeatAgent { get; set; }
    public string[]? SeatSkillGroupNames { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? QueuedAt { get; set; }
    public DateTimeOffset? RingAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? HungUpSide { get; set; }
    public string? EndStatus { get; set; }
    public long? QueuedSkillGroupId { get; set; }
    public string? QueuedSkillGroupName { get; set; }
    public string? RecordId { get; set; }
    public string? UserRemark { get; set; }
    public string? Uui { get; set; }
    public string? TelNumber { get; set; }
    public string? TelCountry { get; set; }
    public string? TelProvince { get; set; }
    public string? TelCity { get; set; }
    public string? TelOperator { get; set; }
    public string? CallType { get; set; }
    public string? ProtectedCaller { get; set; }
    public string? AsrUrl { get; set; }
    public string? VoicemailRecordUrl { get; set; }
    public long CdrPushId { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<ServeParticipant> ServeParticipants { get; } = [];
    public List<IvrKeyPress> IvrKeyPresses { get; } = [];
}

public sealed class ServeParticipant
{
    public long Id { get; set; }
    public long CallSessionId { get; set; }
    public long SdkAppId { get; set; }
    public int Sequence { get; set; }
    public long? AgentId { get; set; }
    public Agent? Agent { get; set; }
    public string? Mail { get; set; }
    public string? Phone { get; set; }
    public string? Type { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? RingAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? RecordId { get; set; }
    public string? TransferFrom { get; set; }
    public string? TransferFromType { get; set; }
    public string? TransferTo { get; set; }
    public string? TransferToType { get; set; }
    public long? SkillGroupId { get; set; }
    public string? SkillGroupName { get; set; }
    public int? SkillGroupPriority { get; set; }
    public string? EndStatus { get; set; }
}

public sealed class Agent
{
    public long Id { get; set; }
    public long SdkAppId { get; set; }
    public required string AgentKey { get; set; }
    public string? UserId { get; set; }
    public string? Mail { get; set; }
    public string? Name { get; set; }
    public string? Nick { get; set; }
    public string? Phone { get; set; }
    public string? StaffNumber { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class SkillGroup
{
    public long SdkAppId { get; set; }
    public long SkillGroupId { get; set; }
    public string? Name { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class IvrKeyPress
{
    public long Id { get; set; }
    public long CallSessionId { get; set; }
    public required string Stage { get; set; }
    public int Position { get; set; }
    public string? Key { get; set; }
    public string? Label { get; set; }
    public DateTimeOffset? PressedAt { get; set; }
}

public sealed class Recording
{
    public long Id { get; set; }
    public long SdkAppId { get; set; }
    public required string SessionId { get; set; }
    public string? RecordId { get; set; }
    public string? EndpointUser { get; set; }
    public string? RecordUrl { get; set; }
    public string? CustomRecordUrl { get; set; }
    public DateTimeOffset? RecordedAt { get; set; }
    public long PushId { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class Voicemail
{
    public long Id { get; set; }
    public long SdkAppId { get; set; }
    public required string SessionId { get; set; }
    public string? EndpointUser { get; set; }
    public string? RecordUrl { get; set; }
    public DateTimeOffset? RecordedAt { get; set; }
    public long PushId { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
