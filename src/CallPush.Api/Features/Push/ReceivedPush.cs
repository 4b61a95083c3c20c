using CallPush.Api.Answers;
using CallPush.Api.Persistence;

namespace CallPush.Api.Features.Push;

/// <summary>What arrived: the raw query values, the push id header, the body and the headers worth keeping.</summary>
internal sealed record ReceivedPush(string? Action, string? Version, string? PushUuid, ReadOnlyMemory<byte> Body, string HeadersJson)
{
    /// <summary>push_log.source: "push", or "reconcile" for a CDR pulled from the platform's API.</summary>
    public string Source { get; init; } = PushLogEntry.FromPush;

    /// <summary>Set by whoever knows a better key than the push id header (reconciliation names the CDR it pulled).</summary>
    public string? DedupKey { get; init; }

    /// <summary>push_log.source_name: the configured source whose credentials authenticated the push (null: the global ones).</summary>
    public string? SourceName { get; init; }
}

/// <summary>The answer, and what telemetry records about the push: whether it had been stored before, and whose it is.</summary>
internal sealed record PushResult(ErrCodeAnswer Answer, bool Duplicate = false, long? SdkAppId = null, string? SessionId = null)
{
    /// <summary>For a 503: when the sender may try again.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
