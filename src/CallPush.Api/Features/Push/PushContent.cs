namespace CallPush.Api.Features.Push;

/// <summary>What every push carries: the contact-center instance and the session it belongs to.</summary>
internal abstract record PushContent(long SdkAppId, string SessionId);

internal sealed record RecordPush(long SdkAppId, string SessionId) : PushContent(SdkAppId, SessionId)
{
    public string? RecordId { get; init; }
    public string? EndpointUser { get; init; }
    public string? RecordUrl { get; init; }
    public string? CustomRecordUrl { get; init; }
    public DateTimeOffset? RecordedAt { get; init; }
}

internal sealed record VoicemailPush(long SdkAppId, string SessionId) : PushContent(SdkAppId, SessionId)
{
    public string? EndpointUser { get; init; }
    public string? RecordUrl { get; init; }
    public DateTimeOffset? RecordedAt { get; init; }
}
