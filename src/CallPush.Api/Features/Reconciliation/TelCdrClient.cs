using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Threading.RateLimiting;
using Polly;
using Polly.Retry;

namespace CallPush.Api.Features.Reconciliation;

/// <summary>One page of DescribeTelCdr: the window's total and its TelCdrInfo objects as the API sent them.</summary>
internal sealed record TelCdrPage(long TotalCount, IReadOnlyList<JsonElement> TelCdrList, string? RequestId);

/// <summary>
/// One session of DescribeSessionDetail: its current RecordURL (signed, valid for 24 hours; null when the session has no
/// recording) and the answer's RequestId.
/// </summary>
internal sealed record SessionDetail(string? RecordUrl, string? RequestId);

/// <summary>An answer of the API with Response.Error, or a failure to get one.</summary>
internal sealed class CloudApiException(string code, string message, string? requestId = null)
    : Exception($"{code}: {message}" + (requestId is null ? string.Empty : $" (RequestId {requestId})"))
{
    public string Code { get; } = code;
    public string? RequestId { get; } = requestId;

    /// <summary>Credentials the platform refused: retrying cannot help, the run stops.</summary>
    public bool IsAuthFailure => Code.StartsWith("AuthFailure", StringComparison.Ordinal);

    /// <summary>Worth another attempt after a pause.</summary>
    public bool IsTransient => Code.StartsWith("RequestLimitExceeded", StringComparison.Ordinal)
        || Code.StartsWith("InternalError", StringComparison.Ordinal) || Code == HttpFailure;

    public const string HttpFailure = "HttpFailure";
}

/// <summary>
/// Calls the Contact Center API (ccc, 2020-02-10) for one source: DescribeTelCdr for reconciliation and
/// DescribeSessionDetail for the recording archive's fresh URLs. TC3-signed JSON POSTs, at most the configured requests
/// per second for both actions together, with exponential backoff on RequestLimitExceeded, InternalError and unanswered
/// requests. AuthFailure.* is thrown at once.
/// </summary>
internal sealed class TelCdrClient : IDisposable
{
    public const string Service = "ccc";
    public const string Version = "2020-02-10";
    public const string Action = "DescribeTelCdr";
    public const string SessionDetailAction = "DescribeSessionDetail";
    public const string ContentType = "application/json; charset=utf-8";
    public const int MaxPageSize = 100;
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(90);
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(180);

    private readonly HttpClient _http;
    private readonly CloudApiOptions _api;
    private readonly Uri _endpoint;
    private readonly TimeProvider _time;
    private readonly RateLimiter _limiter;
    private readonly ResiliencePipeline _retry;

    public TelCdrClient(HttpClient http, CloudApiOptions api, ReconciliationOptions options, TimeProvider time)
    {
        _http = http;
        _api = api;
        _endpoint = new Uri(api.Endpoint);
        _time = time;
        // One request per slot rather than bursts: the API counts requests per second, not per bucket.
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 1,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1.0 / options.RequestsPerSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
        _retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<CloudApiException>(e => e.IsTransient),
            MaxRetryAttempts = Math.Max(0, options.MaxAttempts - 1),
            Delay = options.RetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        }).Build();
    }

    /// <summary>Why a window cannot be asked for, or null: shorter than 90 days, within the last 180 days.</summary>
    public static string? WindowProblem(DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        if (to <= from)
        {
            return "the window's end must be after its start";
        }
        if (to - from >= MaxWindow)
        {
            return "the window must be shorter than 90 days";
        }
        if (from < now - MaxAge)
        {
            return "the window must lie within the last 180 days";
        }
        return null;
    }

    public Task<TelCdrPage> DescribeTelCdrAsync(long sdkAppId, DateTimeOffset from, DateTimeOffset to, int pageSize, int pageNumber,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        ArgumentOutOfRangeException.ThrowIfNegative(pageNumber);
        if (WindowProblem(from, to, _time.GetUtcNow()) is { } problem)
        {
            throw new ArgumentException(problem, nameof(from));
        }
        var payload = JsonSerializer.SerializeToUtf8Bytes(new
        {
            SdkAppId = sdkAppId,
            StartTimeStamp = from.ToUnixTimeSeconds(),
            EndTimeStamp = to.ToUnixTimeSeconds(),
            PageSize = pageSize,
            PageNumber = pageNumber,
        });
        return _retry.ExecuteAsync(async token => ReadPage(await SendAsync(Action, payload, token)), cancellationToken).AsTask();
    }

    /// <summary>
    /// The session's details as the platform has them now. DescribeSessionDetail takes StartTimestamp and EndTimestamp
    /// (not DescribeTelCdr's StartTimeStamp), with DescribeTelCdr's limits: a window shorter than 90 days within the last
    /// 180 days.
    /// </summary>
    public Task<SessionDetail> DescribeSessionDetailAsync(long sdkAppId, string sessionId, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        if (WindowProblem(from, to, _time.GetUtcNow()) is { } problem)
        {
            throw new ArgumentException(problem, nameof(from));
        }
        var payload = JsonSerializer.SerializeToUtf8Bytes(new
        {
            SdkAppId = sdkAppId,
            SessionId = sessionId,
            StartTimestamp = from.ToUnixTimeSeconds(),
            EndTimestamp = to.ToUnixTimeSeconds(),
        });
        return _retry.ExecuteAsync(async token =>
        {
            var (answer, requestId) = await SendAsync(SessionDetailAction, payload, token);
            var url = TextOf(answer, "RecordURL");
            return new SessionDetail(string.IsNullOrWhiteSpace(url) ? null : url, requestId);
        }, cancellationToken).AsTask();
    }

    private async Task<(JsonElement Answer, string? RequestId)> SendAsync(string action, byte[] payload, CancellationToken cancellationToken)
    {
        using (var lease = await _limiter.AcquireAsync(1, cancellationToken))
        {
            if (!lease.IsAcquired)
            {
                throw new CloudApiException("RequestLimitExceeded", "the local rate limiter refused the request");
            }
        }
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        // The host is signed without a port, as the platform's SDKs do.
        var signature = Tc3Signer.Authorization(_api.SecretId!, _api.SecretKey!, new Tc3Request(Service, _endpoint.Host, ContentType, payload, timestamp));
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        request.Headers.TryAddWithoutValidation("Authorization", signature);
        request.Headers.Add("X-TC-Action", action);
        request.Headers.Add("X-TC-Version", Version);
        request.Headers.Add("X-TC-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrWhiteSpace(_api.Region))
        {
            request.Headers.Add("X-TC-Region", _api.Region);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new CloudApiException(CloudApiException.HttpFailure, e.Message);
        }
        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new CloudApiException(CloudApiException.HttpFailure, $"HTTP {(int)response.StatusCode}");
            }
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return Read(body);
        }
    }

    /// <summary>The answer's Response object and RequestId; Response.Error is thrown.</summary>
    private static (JsonElement Answer, string? RequestId) Read(byte[] body)
    {
        JsonElement root;
        try
        {
            root = JsonSerializer.Deserialize<JsonElement>(body);
        }
        catch (JsonException e)
        {
            throw new CloudApiException(CloudApiException.HttpFailure, $"the answer is not JSON ({e.Message})");
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Response", out var answer) || answer.ValueKind != JsonValueKind.Object)
        {
            throw new CloudApiException(CloudApiException.HttpFailure, "the answer has no Response object");
        }
        var requestId = answer.TryGetProperty("RequestId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        if (answer.TryGetProperty("Error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            throw new CloudApiException(TextOf(error, "Code") ?? "UnknownError", TextOf(error, "Message") ?? string.Empty, requestId);
        }
        return (answer, requestId);
    }

    private static TelCdrPage ReadPage((JsonElement Answer, string? RequestId) read)
    {
        var (answer, requestId) = read;
        var total = answer.TryGetProperty("TotalCount", out var count) && count.TryGetInt64(out var n) ? n : 0;
        var list = answer.TryGetProperty("TelCdrList", out var cdrs) && cdrs.ValueKind == JsonValueKind.Array ? cdrs
            : answer.TryGetProperty("TelCdrs", out var old) && old.ValueKind == JsonValueKind.Array ? old
            : default;
        IReadOnlyList<JsonElement> items = list.ValueKind == JsonValueKind.Array ? [.. list.EnumerateArray()] : [];
        return new TelCdrPage(total, items, requestId);
    }

    private static string? TextOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public void Dispose() => _limiter.Dispose();
}
