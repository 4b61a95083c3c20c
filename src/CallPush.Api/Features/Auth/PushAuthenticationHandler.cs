using System.Security.Claims;
using System.Globalization;
using System.Text.Encodings.Web;
using CallPush.Api.Answers;
using CallPush.Api.Diagnostics;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

/// <summary>Why a push was not let in; the challenge turns it into the answer.</summary>
internal enum PushAuthFailure
{
    /// <summary>Missing, wrong or malformed credentials: 401 / 4010, never saying which part was wrong.</summary>
    Rejected,

    /// <summary>A bearer token was presented and refused: 401 / 4010 with <c>error="invalid_token"</c>.</summary>
    TokenRejected,

    /// <summary>This address used up its failures for the window: 429 / 4290.</summary>
    TooManyFailures,

    /// <summary>The credentials could not be checked now (token database or introspection down): 503 / 5031.</summary>
    Unavailable,
}

internal sealed class PushAuthFailureException(PushAuthFailure failure) : Exception(failure.ToString())
{
    public PushAuthFailure Failure { get; } = failure;
}

/// <summary>
/// What the push schemes share: the per-address failure limit before any credential is looked at, and a challenge that
/// answers in the platform's ErrCode shape and counts the refused push once. The authorization middleware runs this
/// before the endpoint, so a push that fails authentication is never read, parsed or stored.
/// </summary>
internal abstract partial class PushAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    FailureLimiter limiter,
    CallPushMetrics metrics)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    /// <summary>Whom the credentials belong to, or a failure.</summary>
    protected abstract Task<(PushIdentity? Identity, PushAuthFailure Failure)> CheckAsync(string authorization, CancellationToken cancellationToken);

    /// <summary>The <c>WWW-Authenticate</c> value of a 401.</summary>
    protected abstract string ChallengeValue(PushAuthFailure failure);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var address = FailureLimiter.AddressOf(Context);
        if (limiter.IsBlocked(address))
        {
            return AuthenticateResult.Fail(new PushAuthFailureException(PushAuthFailure.TooManyFailures));
        }
        var (identity, failure) = await CheckAsync(Request.Headers.Authorization.ToString(), Context.RequestAborted);
        if (identity is not null)
        {
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity.ToClaims(Scheme.Name)), Scheme.Name));
        }
        if (failure is PushAuthFailure.Rejected or PushAuthFailure.TokenRejected)
        {
            limiter.RecordFailure(address);
            LogRejected(Logger, address, Scheme.Name);
        }
        return AuthenticateResult.Fail(new PushAuthFailureException(failure));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var failure = (result.Failure as PushAuthFailureException)?.Failure ?? PushAuthFailure.Rejected;
        ErrCodeAnswer answer;
        switch (failure)
        {
            case PushAuthFailure.TooManyFailures:
                Response.Headers.RetryAfter = ((int)Math.Ceiling(limiter.Window.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                answer = FailureLimiter.TooManyFailures;
                break;
            case PushAuthFailure.Unavailable:
                Response.Headers.RetryAfter = "5";
                answer = new ErrCodeAnswer(ErrCodes.AuthUnavailable, "authentication is unavailable right now; push again later");
                break;
            default:
                Response.Headers.WWWAuthenticate = ChallengeValue(failure);
                answer = new ErrCodeAnswer(ErrCodes.Unauthorized, "authentication failed");
                break;
        }
        metrics.PushAnswered(PushTags.Action(Request.Query["action"]), PushTags.Outcome(answer.ErrCode, duplicate: false), duplicate: false, elapsed: null);
        await answer.WriteAsync(Response, Context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a push from {Address}: {Scheme} authentication failed")]
    private static partial void LogRejected(ILogger logger, string address, string scheme);
}
