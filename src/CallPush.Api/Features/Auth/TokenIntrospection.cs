using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CallPush.Api.Features.Auth;

/// <summary>The authorization server could not say whether a token is active: the push must be retried, not accepted.</summary>
internal sealed class IntrospectionUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// RFC 7662 token introspection against the integrator's own authorization server, for tokens it issued. Active
/// answers are cached briefly (never past the token's exp), so a busy sender costs one call per token per minute.
/// </summary>
internal sealed partial class TokenIntrospection : IDisposable
{
    public const string HttpClientName = "CallPush.Introspection";

    private readonly IHttpClientFactory _clients;
    private readonly OAuth2Options _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TokenIntrospection> _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly MemoryCache _active = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    public TokenIntrospection(IHttpClientFactory clients, IOptions<PushAuthOptions> options, TimeProvider time, ILogger<TokenIntrospection> logger)
    {
        _clients = clients;
        _options = options.Value.OAuth2;
        _time = time;
        _logger = logger;
        _pipeline = BuildPipeline(_options.IntrospectionTimeout, time);
    }

    public bool IsConfigured => _options.IntrospectionEndpoint is not null;

    /// <summary>True for an active token; throws <see cref="IntrospectionUnavailableException"/> when the server cannot tell.</summary>
    public async Task<bool> IsActiveAsync(string token, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(AccessTokenStore.Hash(token));
        var now = _time.GetUtcNow();
        if (_active.TryGetValue(key, out DateTimeOffset cachedUntil))
        {
            return cachedUntil > now;
        }

        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(static async (state, ct) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, state.Self._options.IntrospectionEndpoint)
                {
                    Content = new FormUrlEncodedContent([new("token", state.Token), new("token_type_hint", "access_token")]),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", BasicValue(
                    state.Self._options.IntrospectionClientId!, state.Self._options.IntrospectionClientSecret!));
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                return await state.Self._clients.CreateClient(HttpClientName).SendAsync(request, ct);
            }, (Self: this, Token: token), cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or TaskCanceledException
            && !cancellationToken.IsCancellationRequested)
        {
            LogUnavailable(_logger, e.GetType().Name);
            throw new IntrospectionUnavailableException("the authorization server did not answer", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                LogRefused(_logger, (int)response.StatusCode);
                throw new IntrospectionUnavailableException($"the authorization server answered {(int)response.StatusCode}");
            }
            var (active, expiresAt) = await ReadAsync(response, cancellationToken);
            if (!active || expiresAt <= now)
            {
                return false;
            }
            var cacheUntil = now + _options.IntrospectionCacheDuration;
            if (expiresAt is { } exp && exp < cacheUntil)
            {
                cacheUntil = exp;
            }
            if (cacheUntil > now)
            {
                _active.Set(key, cacheUntil, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = cacheUntil - now });
            }
            return true;
        }
    }

    private async Task<(bool Active, DateTimeOffset? ExpiresAt)> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("active", out var activeElement))
            {
                throw new IntrospectionUnavailableException("the authorization server's answer has no 'active' member");
            }
            if (activeElement.ValueKind != JsonValueKind.True)
            {
                return (false, null);
            }
            if (root.TryGetProperty("token_type", out var type) && type.ValueKind == JsonValueKind.String
                && !string.Equals(type.GetString(), "Bearer", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(type.GetString(), "access_token", StringComparison.OrdinalIgnoreCase))
            {
                return (false, null);
            }
            if (_options.IntrospectionAcceptedClientId is { Length: > 0 } accepted
                && !(root.TryGetProperty("client_id", out var client) && client.ValueKind == JsonValueKind.String
                     && string.Equals(client.GetString(), accepted, StringComparison.Ordinal)))
            {
                return (false, null);
            }
            DateTimeOffset? expiresAt = root.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
            return (true, expiresAt);
        }
        catch (JsonException e)
        {
            throw new IntrospectionUnavailableException("the authorization server's answer is not JSON", e);
        }
    }

    private static string BasicValue(string id, string secret) =>
        // RFC 6749 section 2.3.1: both parts are form-urlencoded before base64.
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
            $"{Uri.EscapeDataString(id)}:{Uri.EscapeDataString(secret)}"));

    /// <summary>Whole call within the timeout; two quick retries of transient failures; a breaker that stops calling a dead server.</summary>
    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(TimeSpan timeout, TimeProvider time)
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(r => r.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500);
        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddTimeout(timeout)
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(100),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = static args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                FailureRatio = 0.5,
                MinimumThroughput = 5,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(15),
            })
            .AddTimeout(timeout / 2)
            .Build();
    }

    public void Dispose() => _active.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "Token introspection failed ({Failure}): pushes with external tokens are answered 503 until the authorization server answers")]
    private static partial void LogUnavailable(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Error, Message = "The token introspection endpoint answered HTTP {Status}: check CallPush__Auth__OAuth2__IntrospectionClientId and IntrospectionClientSecret")]
    private static partial void LogRefused(ILogger logger, int status);
}
