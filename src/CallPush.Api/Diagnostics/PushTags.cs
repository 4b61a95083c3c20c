using CallPush.Api.Answers;

namespace CallPush.Api.Diagnostics;

/// <summary>The values a push is tagged with in metrics and spans: each one of a fixed few, whatever the request said.</summary>
public static class PushTags
{
    public static string Action(string? action) => action?.Trim().ToLowerInvariant() switch
    {
        "cdr" => "cdr",
        "record" => "record",
        "voicemail" => "voicemail",
        _ => "unknown",
    };

    public static PushOutcome Outcome(int errCode, bool duplicate) => errCode switch
    {
        ErrCodes.Ok => duplicate ? PushOutcome.Duplicate : PushOutcome.Stored,
        ErrCodes.Unauthorized => PushOutcome.Unauthorized,
        >= ErrCodes.InternalError => PushOutcome.Failed,
        _ => PushOutcome.Rejected,
    };
}
