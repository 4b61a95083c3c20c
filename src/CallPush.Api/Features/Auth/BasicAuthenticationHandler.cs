using System.Text.Encodings.Web;
using CallPush.Api.Diagnostics;
using CallPush.Api.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

/// <summary>The console's "Account Password": HTTP Basic with a configured username and password (or a secondary pair), global or a source's.</summary>
internal sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    FailureLimiter limiter,
    CallPushMetrics metrics,
    PushCredentials credentials)
    : PushAuthenticationHandler(options, loggers, encoder, limiter, metrics)
{
    public const string Challenge = $"Basic realm=\"{PushAuthScheme.Realm}\", charset=\"UTF-8\"";

    protected override Task<(PushIdentity? Identity, PushAuthFailure Failure)> CheckAsync(string authorization, CancellationToken cancellationToken) =>
        Task.FromResult(AuthorizationHeader.ReadBasic(authorization, out var username, out var password) == HeaderParse.Parsed
            && credentials.BasicUsers.Match(username, password) is { } matched
                ? (new PushIdentity(username, matched.Source), PushAuthFailure.Rejected)
                : ((PushIdentity?)null, PushAuthFailure.Rejected));

    protected override string ChallengeValue(PushAuthFailure failure) => Challenge;
}
