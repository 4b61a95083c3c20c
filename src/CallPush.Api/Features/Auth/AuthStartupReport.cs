using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

/// <summary>Says at every start what to enter in the platform's console for the chosen mode (never a secret).</summary>
internal sealed partial class AuthStartupReport(
    IOptions<PushAuthOptions> options,
    IOptions<PushSourcesOptions> sources,
    PushTenancy tenancy,
    ILogger<AuthStartupReport> logger) : IHostedService
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
            case PushAuthMode.Basic when settings.Basic.Username is null:
                break;
            case PushAuthMode.Basic:
                LogBasic(logger, push, settings.Basic.Username,
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
        ReportSources(settings.ParsedMode, push);
        return Task.CompletedTask;
    }

    private void ReportSources(PushAuthMode mode, string push)
    {
        if (!tenancy.AnySourceHasCredentials)
        {
            return;
        }
        foreach (var (name, source) in sources.Value.Sources.Where(s => s.Value.HasCredentialsFor(mode)).OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var sdkAppIds = string.Join(", ", source.SdkAppIds);
            if (mode == PushAuthMode.Basic)
            {
                LogSourceBasic(logger, name, sdkAppIds, push, source.Auth!.Basic!.Username!, name);
            }
            else
            {
                LogSourceOAuth2(logger, name, sdkAppIds, push, "<public base URL>" + TokenEndpoint.Path, source.Auth!.OAuth2!.ClientId!, name);
            }
        }
        var global = mode == PushAuthMode.Basic ? options.Value.Basic.Username is not null
            : options.Value.OAuth2.IssuesTokens || options.Value.OAuth2.IntrospectionEndpoint is not null;
        if (global)
        {
            LogGlobalRestricted(logger);
        }
        else
        {
            LogNoGlobal(logger);
        }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Source '{Source}' (SdkAppIds {SdkAppIds}) pushes with its own credentials and may write only those SdkAppIds. Console: {Push}, authentication 'Account Password' with username '{Username}' and the password in CallPush__Sources__{Key}__Auth__Basic__Password")]
    private static partial void LogSourceBasic(ILogger logger, string source, string sdkAppIds, string push, string username, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source '{Source}' (SdkAppIds {SdkAppIds}) pushes with its own credentials and may write only those SdkAppIds. Console: {Push}, authentication 'OAuth2.0' with token URL {TokenUrl}, ClientID '{ClientId}' and the ClientSecret in CallPush__Sources__{Key}__Auth__OAuth2__ClientSecret; its tokens are bound to the source")]
    private static partial void LogSourceOAuth2(ILogger logger, string source, string sdkAppIds, string push, string tokenUrl, string clientId, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "The global credentials (CallPush__Auth__...) may write only SdkAppIds that no source with its own credentials lists; pushes of a source's SdkAppIds with them are answered 403 / ErrCode 4030")]
    private static partial void LogGlobalRestricted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "No global push credentials are configured: only the sources' own credentials are accepted, each for its own SdkAppIds")]
    private static partial void LogNoGlobal(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushes may also carry tokens of an external authorization server, checked at {IntrospectionEndpoint} (accepted client: {AcceptedClient}). Console: {Push}, authentication 'OAuth2.0' with that server's token URL and the client it registered for the platform")]
    private static partial void LogIntrospection(ILogger logger, string push, string introspectionEndpoint, string acceptedClient);
}
