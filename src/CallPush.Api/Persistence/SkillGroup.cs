namespace CallPush.Api.Persistence;

public sealed class SkillGroup
{
    public long SdkAppId { get; set; }
    public long SkillGroupId { get; set; }
    public string? Name { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
