using System.Globalization;
using CallPush.Api.Diagnostics;
using CallPush.Api.Features.Push;

namespace CallPush.Api.Features.Auth;

/// <summary>
/// Runs before the push endpoint reads the body, so a push that fails authentication is neither parsed nor
/// stored. The answer never says which part of the credentials was wrong.
/// </summary>
internal sealed partial class PushAuthenticationFilter(PushAuthenticator authenticator, FailureLimiter limiter,
    CallPushMetrics metrics, ILogger<PushAuthenticationFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (authenticator.Mode == PushAuthMode.None)
        {
            return await next(context);
        }
        var http = context.HttpContext;
        var address = FailureLimiter.AddressOf(http);
        if (limiter.IsBlocked(address))
        {
            Count(http, PushErrors.TooManyRequests);
            return TooManyFailures(http, limiter);
        }

        var (outcome, tokenPresented) = await authenticator.AuthenticateAsync(http.Request.Headers.Authorization, http.RequestAborted);
        switch (outcome)
        {
            case AuthOutcome.Accepted:
                return await next(context);
            case AuthOutcome.Unavailable:
                Count(http, PushErrors.AuthUnavailable);
                http.Response.Headers.RetryAfter = "5";
                return PushEndpoint.Answer(new PushAnswer(PushErrors.AuthUnavailable, "authentication is unavailable right now; push again later"));
            default:
                Count(http, PushErrors.Unauthorized);
                limiter.RecordFailure(address);
                LogRejected(logger, address, authenticator.Mode);
                http.Response.Headers.WWWAuthenticate = authenticator.Challenge(tokenPresented);
                return PushEndpoint.Answer(new PushAnswer(PushErrors.Unauthorized, "authentication failed"));
        }
    }

    /// <summary>A push refused here never reaches the endpoint, which counts every other answer.</summary>
    private void Count(HttpContext http, int errCode) =>
        metrics.PushAnswered(PushActions.TelemetryName(http.Request.Query["action"].ToString()), PushEndpoint.Outcome(errCode, false), false, null);

    public static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<PushAnswer> TooManyFailures(HttpContext http, FailureLimiter limiter)
    {
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(limiter.Window.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return PushEndpoint.Answer(new PushAnswer(PushErrors.TooManyRequests, "too many failed authentication attempts; try again later"));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a push from {Address}: {Mode} authentication failed")]
    private static partial void LogRejected(ILogger logger, string address, PushAuthMode mode);
}
