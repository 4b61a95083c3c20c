using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

/// <summary>Says at every start what to enter in the platform's console for the chosen mode (never a secret).</summary>
internal sealed partial class AuthStartupReport(IOptions<PushAuthOptions> options, ILogger<AuthStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        const string push = "push address <public base URL>/push, method POST";
        switch (settings.ParsedMode)
        {
            case PushAuthMode.None when !settings.ModeIsSet:
                LogModeNotSet(logger, push);
                break;
            case PushAuthMode.None:
                LogNone(logger, push);
                break;
            case PushAuthMode.Basic:
                LogBasic(logger, push, settings.Basic.Username!,
                    settings.Basic.SecondaryPassword is null ? string.Empty : $" (also accepted: username '{settings.Basic.SecondaryUsername ?? settings.Basic.Username}' with the secondary password)");
                break;
            default:
                var o = settings.OAuth2;
                if (o.IssuesTokens)
                {
                    LogOAuth2(logger, push, "<public base URL>" + TokenEndpoint.Path, o.ClientId!, o.TokenLifetime);
                }
                if (o.IntrospectionEndpoint is { } introspection)
                {
                    var endpoint = introspection.GetLeftPart(UriPartial.Path);
                    LogIntrospection(logger, push, endpoint, o.IntrospectionAcceptedClientId ?? "any client");
                }
                break;
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "CallPush__Auth__Mode is not set: pushes are accepted WITHOUT authentication. Set it to Basic or OAuth2 before /push is reachable from the internet. Console: {Push}, authentication: none")]
    private static partial void LogModeNotSet(ILogger logger, string push);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CallPush__Auth__Mode is None: pushes are accepted WITHOUT authentication. Console: {Push}, authentication: none")]
    private static partial void LogNone(ILogger logger, string push);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushes need basicAuth. Console: {Push}, authentication 'Account Password' with username '{Username}' and the password in CallPush__Auth__Basic__Password{Secondary}")]
    private static partial void LogBasic(ILogger logger, string push, string username, string secondary);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushes need an OAuth2 bearer token. Console: {Push}, authentication 'OAuth2.0' with token URL {TokenUrl}, ClientID '{ClientId}' and the ClientSecret in CallPush__Auth__OAuth2__ClientSecret; tokens last {Lifetime}")]
    private static partial void LogOAuth2(ILogger logger, string push, string tokenUrl, string clientId, TimeSpan lifetime);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushes may also carry tokens of an external authorization server, checked at {IntrospectionEndpoint} (accepted client: {AcceptedClient}). Console: {Push}, authentication 'OAuth2.0' with that server's token URL and the client it registered for the platform")]
    private static partial void LogIntrospection(ILogger logger, string push, string introspectionEndpoint, string acceptedClient);
}
