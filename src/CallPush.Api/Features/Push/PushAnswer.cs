using System.Text.Json.Serialization;

namespace CallPush.Api.Features.Push;

/// <summary>The answer the platform reads: only <c>ErrCode</c> 0 stops it from pushing again.</summary>
public sealed record PushAnswer(
    [property: JsonPropertyName("ErrCode")] int ErrCode,
    [property: JsonPropertyName("ErrMsg")] string ErrMsg);

/// <summary>Every ErrCode CallPush answers with, and the HTTP status that goes with it (see the README's table).</summary>
public static class PushErrors
{
    public const int Ok = 0;
    public const int MissingAction = 4001;
    public const int UnknownAction = 4002;
    public const int InvalidJson = 4003;
    public const int NotAnObject = 4004;
    public const int MissingField = 4005;
    public const int UnstorableData = 4006;
    public const int Unauthorized = 4010;
    public const int MethodNotAllowed = 4050;
    public const int BodyTooLarge = 4130;
    public const int TooManyRequests = 4290;
    public const int InternalError = 5000;
    public const int StorageUnavailable = 5030;
    public const int AuthUnavailable = 5031;

    public static int HttpStatus(int errCode) => errCode switch
    {
        Ok => StatusCodes.Status200OK,
        Unauthorized => StatusCodes.Status401Unauthorized,
        MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        BodyTooLarge => StatusCodes.Status413PayloadTooLarge,
        TooManyRequests => StatusCodes.Status429TooManyRequests,
        StorageUnavailable or AuthUnavailable => StatusCodes.Status503ServiceUnavailable,
        >= 5000 => StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status400BadRequest,
    };
}
