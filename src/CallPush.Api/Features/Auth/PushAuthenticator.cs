using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

internal enum AuthOutcome
{
    Accepted,
    Rejected,
    Unavailable,
}

/// <summary>Decides whether a request carries the credentials of the configured mode. Never throws for bad input.</summary>
internal sealed partial class PushAuthenticator
{
    public const string Realm = "CallPush";

    private readonly AccessTokenStore _tokens;
    private readonly TokenIntrospection _introspection;
    private readonly DatabaseState _database;
    private readonly ILogger<PushAuthenticator> _logger;

    public PushAuthenticator(IOptions<PushAuthOptions> options, AccessTokenStore tokens, TokenIntrospection introspection,
        DatabaseState database, ILogger<PushAuthenticator> logger)
    {
        var settings = options.Value;
        Mode = settings.ParsedMode;
        BasicUsers = CredentialSet.From(settings.Basic.Username, settings.Basic.Password, settings.Basic.SecondaryUsername, settings.Basic.SecondaryPassword);
        OAuth2Clients = CredentialSet.From(settings.OAuth2.ClientId, settings.OAuth2.ClientSecret, settings.OAuth2.SecondaryClientId, settings.OAuth2.SecondaryClientSecret);
        _tokens = tokens;
        _introspection = introspection;
        _database = database;
        _logger = logger;
    }

    public PushAuthMode Mode { get; }

    public CredentialSet BasicUsers { get; }

    /// <summary>The clients POST /oauth/token issues tokens to; empty when only an external server issues them.</summary>
    public CredentialSet OAuth2Clients { get; }

    public string Challenge(bool invalidToken) => Mode switch
    {
        PushAuthMode.Basic => $"Basic realm=\"{Realm}\", charset=\"UTF-8\"",
        _ when invalidToken => $"Bearer realm=\"{Realm}\", error=\"invalid_token\"",
        _ => $"Bearer realm=\"{Realm}\"",
    };

    public async Task<(AuthOutcome Outcome, bool TokenPresented)> AuthenticateAsync(string? authorization, CancellationToken cancellationToken)
    {
        switch (Mode)
        {
            case PushAuthMode.None:
                return (AuthOutcome.Accepted, false);
            case PushAuthMode.Basic:
                var basic = AuthorizationHeader.ReadBasic(authorization, out var username, out var password);
                return (basic == HeaderParse.Parsed && BasicUsers.Matches(username, password) ? AuthOutcome.Accepted : AuthOutcome.Rejected, false);
            default:
                if (AuthorizationHeader.ReadBearer(authorization, out var token) != HeaderParse.Parsed)
                {
                    return (AuthOutcome.Rejected, false);
                }
                return (await ValidateTokenAsync(token, cancellationToken), true);
        }
    }

    private async Task<AuthOutcome> ValidateTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (!OAuth2Clients.IsEmpty)
        {
            if (!_database.IsReady)
            {
                return AuthOutcome.Unavailable;
            }
            try
            {
                if (await _tokens.IsValidAsync(token, cancellationToken))
                {
                    return AuthOutcome.Accepted;
                }
            }
            catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
            {
                LogTokenStoreUnavailable(_logger, e);
                return AuthOutcome.Unavailable;
            }
        }
        if (!_introspection.IsConfigured)
        {
            return AuthOutcome.Rejected;
        }
        try
        {
            return await _introspection.IsActiveAsync(token, cancellationToken) ? AuthOutcome.Accepted : AuthOutcome.Rejected;
        }
        catch (IntrospectionUnavailableException)
        {
            return AuthOutcome.Unavailable;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not check an access token: the database is unavailable; the push is answered 503")]
    private static partial void LogTokenStoreUnavailable(ILogger logger, Exception exception);
}
