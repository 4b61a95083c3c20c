namespace CallPush.Api.Persistence;

/// <summary>One listing or download of recordings: who (the API key's prefix), what, which bytes, from where.</summary>
public sealed class RecordingAccess
{
    public const string ListOperation = "list";
    public const string ContentOperation = "content";

    public long Id { get; set; }
    public DateTimeOffset AccessedAt { get; set; }
    public required string ApiKeyPrefix { get; set; }
    public required string Operation { get; set; }
    public long? RecordingFileId { get; set; }
    public long? SdkAppId { get; set; }
    public string? SessionId { get; set; }
    public string? Range { get; set; }
    public long BytesSent { get; set; }
    public int StatusCode { get; set; }
    public string? ClientAddress { get; set; }
}
