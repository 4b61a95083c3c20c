using System.Text.Json;
using System.Text.Json.Serialization;

namespace CallPush.Api.Features.Exports;

/// <summary>The body of POST and PUT /exports/connectors.</summary>
internal sealed record ConnectorRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("bucket")] string? Bucket,
    [property: JsonPropertyName("prefix")] string? Prefix,
    [property: JsonPropertyName("region")] string? Region,
    [property: JsonPropertyName("serviceUrl")] Uri? ServiceUrl,
    [property: JsonPropertyName("forcePathStyle")] bool ForcePathStyle,
    [property: JsonPropertyName("accessKey")] string? AccessKey,
    [property: JsonPropertyName("secretKey")] string? SecretKey,
    [property: JsonPropertyName("secretKeyFrom")] string? SecretKeyFrom);

/// <summary>A connector as the API shows it: never its secret, only whether one is set.</summary>
internal sealed record ConnectorResponse(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("bucket")] string? Bucket,
    [property: JsonPropertyName("prefix")] string? Prefix,
    [property: JsonPropertyName("region")] string? Region,
    [property: JsonPropertyName("serviceUrl")] Uri? ServiceUrl,
    [property: JsonPropertyName("forcePathStyle")] bool ForcePathStyle,
    [property: JsonPropertyName("accessKey")] string? AccessKey,
    [property: JsonPropertyName("secretKeySet")] bool SecretKeySet,
    [property: JsonPropertyName("secretKeyFrom")] string? SecretKeyFrom,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt);

/// <summary>The answer of POST /exports/connectors/{id}/test.</summary>
internal sealed record ConnectorTestResponse(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("stage")] string? Stage,
    [property: JsonPropertyName("error")] string? Error);

/// <summary>What export_connectors.settings holds: everything but the secret.</summary>
internal sealed record ConnectorSettings(
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("bucket")] string? Bucket,
    [property: JsonPropertyName("prefix")] string? Prefix,
    [property: JsonPropertyName("region")] string? Region,
    [property: JsonPropertyName("serviceUrl")] Uri? ServiceUrl,
    [property: JsonPropertyName("forcePathStyle")] bool ForcePathStyle,
    [property: JsonPropertyName("accessKey")] string? AccessKey,
    [property: JsonPropertyName("secretKeyFrom")] string? SecretKeyFrom)
{
    public static ConnectorSettings Parse(string json) => JsonSerializer.Deserialize<ConnectorSettings>(json)!;

    public string ToJson() => JsonSerializer.Serialize(this);
}
