namespace CallPush.Api.Persistence;

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
