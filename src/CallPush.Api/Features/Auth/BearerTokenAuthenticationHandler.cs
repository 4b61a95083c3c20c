using System.Text.Encodings.Web;
using CallPush.Api.Diagnostics;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

/// <summary>
/// The console's "OAuth2.0": a bearer token issued by POST /oauth/token (looked up in PostgreSQL, so any replica
/// accepts it) or, when configured, by an external authorization server (RFC 7662 introspection).
/// </summary>
internal sealed partial class BearerTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    FailureLimiter limiter,
    CallPushMetrics metrics,
    PushCredentials credentials,
    AccessTokenStore tokens,
    TokenIntrospection introspection,
    PushTenancy tenancy,
    DatabaseState database)
    : PushAuthenticationHandler(options, loggers, encoder, limiter, metrics)
{
    private const string AnalystKeyMarker = "cpk_";

    protected override async Task<(PushIdentity? Identity, PushAuthFailure Failure)> CheckAsync(string authorization, CancellationToken cancellationToken)
    {
        if (AuthorizationHeader.ReadBearer(authorization, out var token) != HeaderParse.Parsed)
        {
            return (null, PushAuthFailure.Rejected);
        }
        // An analyst API key (cpk_...) is never a push token: refused here, it is never sent to an external introspection server.
        if (token.StartsWith(AnalystKeyMarker, StringComparison.Ordinal))
        {
            return (null, PushAuthFailure.TokenRejected);
        }
        if (!credentials.OAuth2Clients.IsEmpty)
        {
            if (!database.SchemaIsCurrent)
            {
                return (null, PushAuthFailure.Unavailable);
            }
            try
            {
                if (await tokens.OwnerOfAsync(token, cancellationToken) is { } owner)
                {
                    // A token outlives a configuration change: one whose source no longer has credentials is refused.
                    return owner.Source is { } source && !tenancy.HasCredentials(source)
                        ? (null, PushAuthFailure.TokenRejected)
                        : (owner, PushAuthFailure.Rejected);
                }
            }
            catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
            {
                LogTokenStoreUnavailable(Logger, e);
                return (null, PushAuthFailure.Unavailable);
            }
        }
        if (!introspection.IsConfigured)
        {
            return (null, PushAuthFailure.TokenRejected);
        }
        try
        {
            // Tokens of an external authorization server count as the global credentials.
            return await introspection.ClientOfActiveTokenAsync(token, cancellationToken) is { } client
                ? (new PushIdentity(client, null), PushAuthFailure.Rejected)
                : (null, PushAuthFailure.TokenRejected);
        }
        catch (IntrospectionUnavailableException)
        {
            return (null, PushAuthFailure.Unavailable);
        }
    }

    protected override string ChallengeValue(PushAuthFailure failure) => failure == PushAuthFailure.TokenRejected
        ? $"Bearer realm=\"{PushAuthScheme.Realm}\", error=\"invalid_token\""
        : $"Bearer realm=\"{PushAuthScheme.Realm}\"";

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not check an access token: the database is unavailable; the push is answered 503")]
    private static partial void LogTokenStoreUnavailable(ILogger logger, Exception exception);
}
