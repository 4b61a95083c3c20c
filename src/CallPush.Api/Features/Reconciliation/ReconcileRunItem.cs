using System.Text.Json.Serialization;
using CallPush.Api.Persistence;

namespace CallPush.Api.Features.Reconciliation;

public sealed record ReconcileRunItem(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("trigger")] string Trigger,
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("pages")] int Pages,
    [property: JsonPropertyName("sessionsSeen")] int SessionsSeen,
    [property: JsonPropertyName("missing")] int Missing,
    [property: JsonPropertyName("filled")] int Filled,
    [property: JsonPropertyName("updated")] int Updated,
    [property: JsonPropertyName("errors")] int Errors,
    [property: JsonPropertyName("lastError")] string? LastError,
    [property: JsonPropertyName("startedAt")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("finishedAt")] DateTimeOffset? FinishedAt)
{
    internal static ReconcileRunItem Of(ReconcileRun r) => new(r.Id, r.Source, r.Trigger, r.WindowStart, r.WindowEnd, r.Status, r.Pages,
        r.SessionsSeen, r.Missing, r.Filled, r.Updated, r.Errors, r.LastError, r.StartedAt, r.FinishedAt);
}

public sealed record ReconcileRunListResponse([property: JsonPropertyName("runs")] IReadOnlyList<ReconcileRunItem> Runs);

public sealed record ReconcileRunRequest(
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("from")] DateTimeOffset? From,
    [property: JsonPropertyName("to")] DateTimeOffset? To);
