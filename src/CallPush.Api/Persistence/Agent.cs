namespace CallPush.Api.Persistence;

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
