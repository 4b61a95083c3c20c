using CallPush.Api.Answers;

namespace CallPush.Api.Features.Push;

/// <summary>What arrived: the raw query values, the push id header, the body and the headers worth keeping.</summary>
internal sealed record ReceivedPush(string? Action, string? Version, string? PushUuid, ReadOnlyMemory<byte> Body, string HeadersJson);

/// <summary>The answer, and what telemetry records about the push: whether it had been stored before, and whose it is.</summary>
internal sealed record PushResult(ErrCodeAnswer Answer, bool Duplicate = false, long? SdkAppId = null, string? SessionId = null);
