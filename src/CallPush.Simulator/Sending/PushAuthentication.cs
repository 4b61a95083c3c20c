using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;

namespace CallPush.Simulator.Sending;

/// <summary>How the sender proves itself, as configured in the platform's console: none, basicAuth or OAuth2.0.</summary>
internal abstract class PushAuthentication
{
    public static readonly PushAuthentication None = new NoAuthentication();

    /// <summary>Adds the credential to a push; returns what was presented, so a 401 can name the credential it refused.</summary>
    public abstract ValueTask<string?> ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken);

    /// <summary>The receiver answered 401 to a push that carried <paramref name="credential"/>.</summary>
    public virtual void Rejected(string? credential)
    {
    }

    public abstract string Describe();

    private sealed class NoAuthentication : PushAuthentication
    {
        public override ValueTask<string?> ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

        public override string Describe() => "none";
    }
}

/// <summary>basicAuth: the console's account and password on every push.</summary>
internal sealed class BasicAuthentication(string user, string password) : PushAuthentication
{
    private readonly AuthenticationHeaderValue _header = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    public override ValueTask<string?> ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = _header;
        return ValueTask.FromResult<string?>(null);
    }

    public override string Describe() => $"basic (user {user})";
}

/// <summary>The token endpoint refused the client or answered something that is not an OAuth 2.0 token response.</summary>
internal sealed class TokenRequestException(string message) : Exception(message);

/// <summary>
/// OAuth 2.0 client credentials (RFC 6749 section 4.4): a bearer token fetched from the token URL with the client
/// id and secret in HTTP Basic (client_secret_basic), kept until shortly before it expires or until a push carrying
/// it is answered 401, then fetched again. Concurrent pushes share one fetch.
/// </summary>
internal sealed class ClientCredentialsAuthentication(
    HttpClient http, Uri tokenUrl, string clientId, string clientSecret, string? scope, TimeProvider time) : PushAuthentication
{
    private static readonly TimeSpan MaxRenewalMargin = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LifetimeWithoutExpiresIn = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan TokenRequestTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private CachedToken? _token;
    private Task<CachedToken>? _fetching;
    private int _tokensFetched;

    public int TokensFetched => Volatile.Read(ref _tokensFetched);

    public override async ValueTask<string?> ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await CurrentTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return token;
    }

    public override void Rejected(string? credential)
    {
        lock (_lock)
        {
            if (_token is not null && credential == _token.Value)
            {
                _token = null;
            }
        }
    }

    public override string Describe() => $"oauth2 client credentials (client {clientId}, token URL {tokenUrl})";

    private async ValueTask<string> CurrentTokenAsync(CancellationToken cancellationToken)
    {
        Task<CachedToken> fetching;
        lock (_lock)
        {
            if (_token is { } cached && cached.RenewAt > time.GetUtcNow())
            {
                return cached.Value;
            }
            // One fetch at a time: pushes that need a token meanwhile wait for the same answer.
            if (_fetching is null || _fetching.IsCompleted)
            {
                _fetching = FetchAndKeepAsync();
            }
            fetching = _fetching;
        }
        return (await fetching.WaitAsync(cancellationToken)).Value;
    }

    private async Task<CachedToken> FetchAndKeepAsync()
    {
        using var timeout = new CancellationTokenSource(TokenRequestTimeout);
        CachedToken token;
        try
        {
            token = await FetchAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TokenRequestException($"the token endpoint {tokenUrl} did not answer within {TokenRequestTimeout.TotalSeconds:0} s");
        }
        lock (_lock)
        {
            _token = token;
        }
        return token;
    }

    private async Task<CachedToken> FetchAsync(CancellationToken cancellationToken)
    {
        var requestedAt = time.GetUtcNow();
        using var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = tokenUrl.AbsoluteUri,
            ClientId = clientId,
            ClientSecret = clientSecret,
            Scope = scope,
            ClientCredentialStyle = ClientCredentialStyle.AuthorizationHeader,
            // RFC 6749 2.3.1: the id and secret are form-urlencoded before they are joined and base64-encoded (also the default).
            AuthorizationHeaderStyle = BasicAuthenticationHeaderStyle.Rfc6749,
        }, cancellationToken);
        if (response.HttpResponse is null)
        {
            throw new TokenRequestException($"the token endpoint {tokenUrl} could not be reached: {response.Exception?.Message}");
        }
        Interlocked.Increment(ref _tokensFetched);
        var status = (int)response.HttpStatusCode;
        // Checked first: the library's error properties read fields of the body and throw on JSON that is not an object.
        if (response.Json is not { ValueKind: JsonValueKind.Object })
        {
            throw new TokenRequestException($"the token endpoint {tokenUrl} answered HTTP {status} without a JSON object");
        }
        if (response.IsError)
        {
            // A 401 is reported as an HTTP error whose Error is the reason phrase: the OAuth error code is in the body.
            var error = response.TryGet(OidcConstants.TokenResponse.Error) ?? "no error code";
            var description = string.IsNullOrEmpty(response.ErrorDescription) ? string.Empty : ": " + response.ErrorDescription;
            throw new TokenRequestException($"the token endpoint {tokenUrl} refused the client (HTTP {status}, {error}{description})");
        }
        if (string.IsNullOrEmpty(response.AccessToken))
        {
            throw new TokenRequestException($"the token endpoint {tokenUrl} answered without an access_token");
        }
        if (!string.Equals(response.TokenType, OidcConstants.TokenResponse.BearerTokenType, StringComparison.OrdinalIgnoreCase))
        {
            throw new TokenRequestException($"the token endpoint {tokenUrl} answered a token_type other than Bearer");
        }
        var lifetime = response.ExpiresIn > 0 ? TimeSpan.FromSeconds(response.ExpiresIn) : LifetimeWithoutExpiresIn;
        var margin = TimeSpan.FromTicks(Math.Min(MaxRenewalMargin.Ticks, lifetime.Ticks / 10));
        return new CachedToken(response.AccessToken, requestedAt + lifetime - margin);
    }

    private sealed record CachedToken(string Value, DateTimeOffset RenewAt);
}
