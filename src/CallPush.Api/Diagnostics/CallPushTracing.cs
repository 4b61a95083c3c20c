using System.Diagnostics;

namespace CallPush.Api.Diagnostics;

/// <summary>The <c>CallPush</c> ActivitySource: one span per push, tagged with what identifies it (never credentials or bodies).</summary>
public static class CallPushTracing
{
    public const string SourceName = "CallPush";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span named <c>push {action}</c>, or null when nothing listens.</summary>
    public static Activity? StartPush(string action, string? version)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var activity = Source.StartActivity(SpanName(action));
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("callpush.action", action);
            activity.SetTag("callpush.version", version is { Length: > 64 } ? version[..64] : version);
        }
        return activity;
    }

    public static void CompletePush(Activity? activity, PushOutcome outcome, bool duplicate, int errCode, long? sdkAppId, string? sessionId)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }
        activity.SetTag("callpush.sdk_app_id", sdkAppId);
        activity.SetTag("callpush.session_id", sessionId);
        activity.SetTag("callpush.outcome", CallPushMetrics.OutcomeName(outcome));
        activity.SetTag("callpush.duplicate", duplicate);
        activity.SetTag("callpush.err_code", errCode);
        if (outcome == PushOutcome.Failed)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    private static string SpanName(string action) => action switch
    {
        "cdr" => "push cdr",
        "record" => "push record",
        "voicemail" => "push voicemail",
        _ => "push unknown",
    };
}
