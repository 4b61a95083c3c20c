using System.Text.Json;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

/// <summary>The authorization server could not say whether a token is active: the push must be retried, not accepted.</summary>
internal sealed class IntrospectionUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// RFC 7662 token introspection against the integrator's own authorization server, for tokens it issued. Active
/// answers are cached briefly (never past the token's exp), so a busy sender costs one call per token per minute.
/// Timeouts, retries and the circuit breaker are the resilience handler of the named HttpClient.
/// </summary>
internal sealed partial class TokenIntrospection : IDisposable
{
    public const string HttpClientName = "CallPush.Introspection";

    private readonly IHttpClientFactory _clients;
    private readonly OAuth2Options _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TokenIntrospection> _logger;
    private readonly MemoryCache _active = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    public TokenIntrospection(IHttpClientFactory clients, IOptions<PushAuthOptions> options, TimeProvider time, ILogger<TokenIntrospection> logger)
    {
        _clients = clients;
        _options = options.Value.OAuth2;
        _time = time;
        _logger = logger;
    }

    public bool IsConfigured => _options.IntrospectionEndpoint is not null;

    /// <summary>The client an active token was issued to (empty when the server does not say); null for an inactive token.</summary>
    /// <exception cref="IntrospectionUnavailableException">The server did not give a usable answer.</exception>
    public async Task<string?> ClientOfActiveTokenAsync(string token, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(AccessTokenStore.Hash(token));
        var now = _time.GetUtcNow();
        if (_active.TryGetValue(key, out ActiveToken? cached) && cached!.Until > now)
        {
            return cached.Client;
        }

        var client = new IntrospectionClient(_clients.CreateClient(HttpClientName), new IntrospectionClientOptions
        {
            Address = _options.IntrospectionEndpoint!.ToString(),
            ClientId = _options.IntrospectionClientId!,
            ClientSecret = _options.IntrospectionClientSecret,
            ClientCredentialStyle = ClientCredentialStyle.AuthorizationHeader,
            AuthorizationHeaderStyle = BasicAuthenticationHeaderStyle.Rfc6749,
        });
        var response = await client.Introspect(token, OidcConstants.TokenTypes.AccessToken, cancellationToken: cancellationToken);
        if (response.IsError)
        {
            var failure = response.ErrorType == ResponseErrorType.Exception
                ? response.Exception?.GetType().Name ?? "exception"
                : $"HTTP {(int)response.HttpStatusCode}";
            LogUnavailable(_logger, failure);
            throw new IntrospectionUnavailableException($"the authorization server did not answer usably ({failure})", response.Exception);
        }
        if (response.Json is not { ValueKind: JsonValueKind.Object } json || !json.TryGetProperty("active", out _))
        {
            LogUnavailable(_logger, "no 'active' member");
            throw new IntrospectionUnavailableException("the authorization server's answer has no 'active' member");
        }
        if (!response.IsActive || !Accepts(response) || response.Expiration is { } expired && expired <= now)
        {
            return null;
        }

        var clientId = response.ClientId ?? string.Empty;
        var cacheUntil = now + _options.IntrospectionCacheDuration;
        if (response.Expiration is { } exp && exp < cacheUntil)
        {
            cacheUntil = exp;
        }
        if (cacheUntil > now)
        {
            _active.Set(key, new ActiveToken(clientId, cacheUntil), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = cacheUntil });
        }
        return clientId;
    }

    private bool Accepts(TokenIntrospectionResponse response)
    {
        if (response.TokenType is { } type
            && !string.Equals(type, OidcConstants.TokenResponse.BearerTokenType, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(type, OidcConstants.TokenTypes.AccessToken, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return _options.IntrospectionAcceptedClientId is not { Length: > 0 } accepted
            || string.Equals(response.ClientId, accepted, StringComparison.Ordinal);
    }

    public void Dispose() => _active.Dispose();

    private sealed record ActiveToken(string Client, DateTimeOffset Until);

    [LoggerMessage(Level = LogLevel.Error, Message = "Token introspection failed ({Failure}): pushes with external tokens are answered 503 until the authorization server answers; check CallPush__Auth__OAuth2__IntrospectionEndpoint, IntrospectionClientId and IntrospectionClientSecret")]
    private static partial void LogUnavailable(ILogger logger, string failure);
}
