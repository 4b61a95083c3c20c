namespace CallPush.Api.Answers;

/// <summary>Every ErrCode CallPush answers with, and the HTTP status that goes with it (the README's table).</summary>
public static class ErrCodes
{
    public const int Ok = 0;
    public const int MissingAction = 4001;
    public const int UnknownAction = 4002;
    public const int InvalidJson = 4003;
    public const int NotAnObject = 4004;
    public const int MissingField = 4005;
    public const int UnstorableData = 4006;
    public const int Unauthorized = 4010;
    public const int ForeignSdkAppId = 4030;
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
        ForeignSdkAppId => StatusCodes.Status403Forbidden,
        MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        BodyTooLarge => StatusCodes.Status413PayloadTooLarge,
        TooManyRequests => StatusCodes.Status429TooManyRequests,
        StorageUnavailable or AuthUnavailable => StatusCodes.Status503ServiceUnavailable,
        >= 5000 => StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status400BadRequest,
    };
}
