namespace CallPush.Api.Persistence;

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
