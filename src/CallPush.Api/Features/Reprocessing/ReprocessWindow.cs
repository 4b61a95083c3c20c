using System.Globalization;
using System.Text.Json.Serialization;
using CallPush.Api.Features.Push;
using CallPush.Api.Persistence;

namespace CallPush.Api.Features.Reprocessing;

/// <summary>Which stored pushes to run through today's parser again: received in [From, To), of one action and status if named.</summary>
internal sealed record ReprocessWindow(DateTimeOffset From, DateTimeOffset To, string? Action, string? Status)
{
    public static ReprocessWindow? Of(string? from, string? to, string? action, string? status, out string? problem)
    {
        problem = (Time(from), Time(to)) switch
        {
            (null, _) => "from is missing or not a time (ISO 8601, e.g. 2026-12-01T08:00:00Z)",
            (_, null) => "to is missing or not a time (ISO 8601, e.g. 2026-12-01T09:00:00Z)",
            ({ } f, { } t) when f >= t => "from must be before to",
            _ when action is not null && !PushActions.TryParse(action, out _) => $"action '{action}' is unknown: expected cdr, record or voicemail",
            _ when status is not null and not (PushLogEntry.Accepted or PushLogEntry.Rejected) => $"status '{status}' is unknown: expected rejected or accepted",
            _ => null,
        };
        if (problem is not null)
        {
            return null;
        }
        var actionName = action is null ? null : PushActions.TryParse(action, out var known) ? known.Name() : null;
        return new ReprocessWindow(Time(from)!.Value, Time(to)!.Value, actionName, status);
    }

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
}

/// <summary>What a reprocessing did. Every count is of push_log rows, except the changed normalized rows.</summary>
public sealed class ReprocessSummary
{
    [JsonPropertyName("seen")]
    public long Seen { get; set; }

    /// <summary>Rejected rows that today's parser accepts: now accepted and normalized.</summary>
    [JsonPropertyName("nowAccepted")]
    public long NowAccepted { get; set; }

    [JsonPropertyName("stillRejected")]
    public long StillRejected { get; set; }

    /// <summary>Accepted rows that today's parser refuses: left as they are, with their normalized rows.</summary>
    [JsonPropertyName("acceptedButRefusedNow")]
    public long AcceptedButRefusedNow { get; set; }

    [JsonPropertyName("changedSessions")]
    public long ChangedSessions { get; set; }

    [JsonPropertyName("changedRecordings")]
    public long ChangedRecordings { get; set; }

    [JsonPropertyName("changedVoicemails")]
    public long ChangedVoicemails { get; set; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Seen} seen, {NowAccepted} now accepted, {StillRejected} still rejected, {ChangedSessions} changed sessions, "
        + $"{ChangedRecordings} changed recordings, {ChangedVoicemails} changed voicemails, {AcceptedButRefusedNow} accepted but refused now");
}

internal sealed record ReprocessProgress(long Done, long Total, ReprocessSummary Summary);
