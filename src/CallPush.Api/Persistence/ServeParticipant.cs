namespace CallPush.Api.Persistence;

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
