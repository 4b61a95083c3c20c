using System.Text.Json.Serialization;

namespace CallPush.Api.Features.StatisticsChannel;

/// <summary>
/// Every answer of the channel: <c>{"success":true,"error":null,"data":...}</c> or <c>{"success":false,"error":"...","data":null}</c>.
/// Successful data answers are streamed by <see cref="StatisticsStatement"/>; this type writes the failures and documents the shape.
/// </summary>
public sealed record StatisticsAnswer(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("data")] object? Data)
{
    public static StatisticsAnswer Failure(string error) => new(false, error, null);

    public Task WriteAsync(HttpResponse response, int statusCode, CancellationToken cancellationToken)
    {
        response.StatusCode = statusCode;
        response.Headers.CacheControl = "no-store";
        return response.WriteAsJsonAsync(this, cancellationToken);
    }
}

/// <summary>The request body, for the OpenAPI document (the endpoint reads the body itself).</summary>
public sealed record StatisticsRequestBody(
    [property: JsonPropertyName("entity")] string Entity,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("options")] StatisticsRequestOptions Options);

public sealed record StatisticsRequestOptions([property: JsonPropertyName("psql")] string Psql);
