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
