using System.Text.Json.Serialization;

namespace CallPush.Api.Answers;

/// <summary>The answer the platform reads, with the protocol's exact member names: only <c>ErrCode</c> 0 stops it from pushing again.</summary>
public sealed record ErrCodeAnswer(
    [property: JsonPropertyName("ErrCode")] int ErrCode,
    [property: JsonPropertyName("ErrMsg")] string ErrMsg)
{
    [JsonIgnore]
    public int HttpStatus => ErrCodes.HttpStatus(ErrCode);

    /// <summary>Writes the answer with its HTTP status; headers such as <c>Retry-After</c> are set before.</summary>
    public Task WriteAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = HttpStatus;
        return response.WriteAsJsonAsync(this, AnswerJsonContext.Default.ErrCodeAnswer, cancellationToken: cancellationToken);
    }
}

[JsonSerializable(typeof(ErrCodeAnswer))]
internal sealed partial class AnswerJsonContext : JsonSerializerContext;
