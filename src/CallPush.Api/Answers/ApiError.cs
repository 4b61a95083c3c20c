using System.Text.Json.Serialization;

namespace CallPush.Api.Answers;

/// <summary>
/// The error body of the endpoints for people (the analyst API): <c>{"error":"..."}</c>. The ErrCode shape is the
/// platform's, for /push and what the platform reads.
/// </summary>
public sealed record ApiError([property: JsonPropertyName("error")] string Error)
{
    public Task WriteAsync(HttpResponse response, int statusCode, CancellationToken cancellationToken)
    {
        response.StatusCode = statusCode;
        return response.WriteAsJsonAsync(this, cancellationToken);
    }
}
