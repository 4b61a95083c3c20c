using System.Text.Json;
using System.Text.Unicode;

namespace CallPush.Api.Features.StatisticsChannel;

internal enum StatisticsAction
{
    Data,
    Quantity,
}

/// <summary>A request of the channel: <c>{"entity":"chronological","action":"data"|"quantity","options":{"psql":"select ..."}}</c>.</summary>
internal sealed record StatisticsRequest(StatisticsAction Action, string Statement)
{
    public const string Entity = "chronological";

    /// <summary>The request, or what is wrong with the body (a message for the analyst).</summary>
    public static (StatisticsRequest? Request, string? Problem) Parse(ReadOnlySpan<byte> body)
    {
        if (!Utf8.IsValid(body))
        {
            return (null, "the body is not valid UTF-8");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            return (null, $"the body is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, "the body must be a JSON object with entity, action and options");
            }
            if (Text(root, "entity") is not { } entity)
            {
                return (null, "entity is required (a string): chronological");
            }
            if (!string.Equals(entity, Entity, StringComparison.OrdinalIgnoreCase))
            {
                return (null, $"unknown entity '{Shorten(entity)}': the only entity is '{Entity}'");
            }
            if (Text(root, "action") is not { } actionName)
            {
                return (null, "action is required (a string): data or quantity");
            }
            StatisticsAction action;
            if (string.Equals(actionName, "data", StringComparison.OrdinalIgnoreCase))
            {
                action = StatisticsAction.Data;
            }
            else if (string.Equals(actionName, "quantity", StringComparison.OrdinalIgnoreCase))
            {
                action = StatisticsAction.Quantity;
            }
            else
            {
                return (null, $"unknown action '{Shorten(actionName)}' for entity '{Entity}': data or quantity");
            }
            if (!root.TryGetProperty("options", out var options) || options.ValueKind != JsonValueKind.Object)
            {
                return (null, "options is required: {\"psql\":\"select ...\"}");
            }
            if (Text(options, "psql") is not { } statement || string.IsNullOrWhiteSpace(statement))
            {
                return (null, "options.psql is required: the select statement to run");
            }
            return StatementText.Problem(statement) is { } problem ? (null, problem) : (new StatisticsRequest(action, statement), null);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "...";
}
