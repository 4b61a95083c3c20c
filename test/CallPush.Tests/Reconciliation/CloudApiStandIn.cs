using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CallPush.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CallPush.Tests.Reconciliation;

/// <summary>
/// A loopback stand-in of the Contact Center API's DescribeTelCdr and DescribeSessionDetail (ccc, 2020-02-10) that
/// behaves as the real one does where CallPush depends on it: TC3-HMAC-SHA256 signatures checked (its own
/// implementation, not the service's), answers always HTTP 200 with Response.Error on failure, PageSize at most 100 and
/// PageNumber from 0, a window shorter than 90 days within the last 180 days, unknown request members refused, and at
/// most <see cref="RequestsPerSecond"/> requests per second per key for all actions together.
/// </summary>
public sealed class CloudApiStandIn : IAsyncDisposable
{
    public const string SecretId = "AKIDstandin0000000000000000000000000";
    public const string SecretKey = "standin-secret-key-0000000000000000";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<long, List<JsonObject>> _cdrs = new();
    private readonly ConcurrentDictionary<(long SdkAppId, string SessionId), (long StartTimestamp, string? RecordUrl)> _sessions = new();
    private readonly ConcurrentQueue<string> _scriptedErrors = new();
    private readonly Queue<DateTimeOffset> _recent = new();
    private readonly Lock _gate = new();

    private CloudApiStandIn(WebApplication app)
    {
        _app = app;
    }

    public Uri Endpoint => LoopbackServer.AddressOf(_app);
    public int RequestsPerSecond { get; set; } = 20;

    /// <summary>Every request that passed the signature check, as (SdkAppId, PageNumber).</summary>
    public ConcurrentQueue<(long SdkAppId, int PageNumber)> Pages { get; } = new();

    /// <summary>Every DescribeSessionDetail request that passed the checks and scripted errors, as its body.</summary>
    public ConcurrentQueue<JsonObject> SessionDetailRequests { get; } = new();

    public ConcurrentQueue<string> ErrorsAnswered { get; } = new();

    /// <summary>Answered instead of any data while set: a key the platform disabled, for example.</summary>
    public string? AlwaysFailWith { get; set; }

    public static async Task<CloudApiStandIn> StartAsync()
    {
        CloudApiStandIn? standIn = null;
        var app = LoopbackServer.Create();
        app.MapPost("/", (HttpContext context) => standIn!.HandleAsync(context));
        standIn = new CloudApiStandIn(app);
        await app.StartAsync();
        return standIn;
    }

    public void Add(long sdkAppId, JsonObject telCdr)
    {
        var list = _cdrs.GetOrAdd(sdkAppId, _ => []);
        lock (list)
        {
            list.RemoveAll(c => (string?)c["SessionId"] == (string?)telCdr["SessionId"]);
            list.Add(telCdr);
        }
    }

    /// <summary>A session DescribeSessionDetail knows, with its current RecordURL (null: the session has no recording).</summary>
    public void AddSession(long sdkAppId, string sessionId, long startTimestamp, string? recordUrl) =>
        _sessions[(sdkAppId, sessionId)] = (startTimestamp, recordUrl);

    /// <summary>The next requests are answered with these error codes, one each, before any other check but the signature.</summary>
    public void FailNext(params string[] codes)
    {
        foreach (var code in codes)
        {
            _scriptedErrors.Enqueue(code);
        }
    }

    /// <summary>The service's settings for a source named <paramref name="source"/> that reads this stand-in.</summary>
    public Dictionary<string, string?> SourceSettings(string source, params long[] sdkAppIds)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"CallPush:Sources:{source}:CloudApi:SecretId"] = SecretId,
            [$"CallPush:Sources:{source}:CloudApi:SecretKey"] = SecretKey,
            [$"CallPush:Sources:{source}:CloudApi:Region"] = "ap-singapore",
            [$"CallPush:Sources:{source}:CloudApi:Endpoint"] = Endpoint.ToString(),
        };
        for (var i = 0; i < sdkAppIds.Length; i++)
        {
            settings[$"CallPush:Sources:{source}:SdkAppIds:{i}"] = sdkAppIds[i].ToString(CultureInfo.InvariantCulture);
        }
        return settings;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var requestId = Guid.NewGuid().ToString();
        var (code, message) = Check(context.Request, body);
        if (code is null && _scriptedErrors.TryDequeue(out var scripted))
        {
            (code, message) = (scripted, "scripted by the test");
        }
        code ??= AlwaysFailWith;
        if (code is not null)
        {
            ErrorsAnswered.Enqueue(code);
            var error = new JsonObject
            {
                ["Response"] = new JsonObject
                {
                    ["Error"] = new JsonObject { ["Code"] = code, ["Message"] = message ?? code },
                    ["RequestId"] = requestId,
                },
            };
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(error.ToJsonString());
            return;
        }

        if (context.Request.Headers["X-TC-Action"] == "DescribeSessionDetail")
        {
            await AnswerSessionDetailAsync(context, body, requestId);
            return;
        }
        using var request = JsonDocument.Parse(body);
        var root = request.RootElement;
        var sdkAppId = root.GetProperty("SdkAppId").GetInt64();
        var start = root.GetProperty("StartTimeStamp").GetInt64();
        var end = root.GetProperty("EndTimeStamp").GetInt64();
        var pageSize = root.GetProperty("PageSize").GetInt32();
        var pageNumber = root.GetProperty("PageNumber").GetInt32();
        Pages.Enqueue((sdkAppId, pageNumber));
        var list = _cdrs.GetOrAdd(sdkAppId, _ => []);
        List<JsonObject> inWindow;
        lock (list)
        {
            inWindow = [.. list
                .Where(c => (long)c["StartTimestamp"]! >= start && (long)c["StartTimestamp"]! <= end)
                .OrderBy(c => (long)c["StartTimestamp"]!).ThenBy(c => (string?)c["SessionId"], StringComparer.Ordinal)
                .Select(c => c.DeepClone().AsObject())];
        }
        var page = new JsonArray([.. inWindow.Skip(pageNumber * pageSize).Take(pageSize)]);
        var answer = new JsonObject
        {
            ["Response"] = new JsonObject { ["TotalCount"] = inWindow.Count, ["TelCdrList"] = page, ["RequestId"] = requestId },
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString());
    }

    private async Task AnswerSessionDetailAsync(HttpContext context, byte[] body, string requestId)
    {
        var request = JsonNode.Parse(body)!.AsObject();
        SessionDetailRequests.Enqueue(request);
        var sdkAppId = (long)request["SdkAppId"]!;
        var sessionId = (string)request["SessionId"]!;
        var start = (long)request["StartTimestamp"]!;
        var end = (long)request["EndTimestamp"]!;
        JsonObject answer;
        if (_sessions.TryGetValue((sdkAppId, sessionId), out var session) && session.StartTimestamp >= start && session.StartTimestamp <= end)
        {
            answer = new JsonObject
            {
                ["SessionId"] = sessionId,
                ["StartTimeStamp"] = session.StartTimestamp,
                ["RecordURL"] = session.RecordUrl ?? string.Empty,
                ["RequestId"] = requestId,
            };
        }
        else
        {
            ErrorsAnswered.Enqueue("FailedOperation.SessionNotExists");
            answer = new JsonObject
            {
                ["Error"] = new JsonObject { ["Code"] = "FailedOperation.SessionNotExists", ["Message"] = "session not exists" },
                ["RequestId"] = requestId,
            };
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["Response"] = answer }.ToJsonString());
    }

    private (string? Code, string? Message) Check(HttpRequest request, byte[] body)
    {
        if (SignatureProblem(request, body) is { } signature)
        {
            return signature;
        }
        var action = request.Headers["X-TC-Action"].ToString();
        if (action is not ("DescribeTelCdr" or "DescribeSessionDetail"))
        {
            return ("InvalidAction", $"the stand-in does not serve {action}");
        }
        if (request.Headers["X-TC-Version"] != "2020-02-10")
        {
            return ("NoSuchVersion", "the version is not 2020-02-10");
        }
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            while (_recent.Count > 0 && now - _recent.Peek() >= TimeSpan.FromSeconds(1))
            {
                _recent.Dequeue();
            }
            if (_recent.Count >= RequestsPerSecond)
            {
                return ("RequestLimitExceeded", "too many requests in this second");
            }
            _recent.Enqueue(now);
        }
        JsonElement root;
        try
        {
            root = JsonSerializer.Deserialize<JsonElement>(body);
        }
        catch (JsonException)
        {
            return ("InvalidParameter", "the body is not JSON");
        }
        if (action == "DescribeSessionDetail")
        {
            return SessionDetailProblem(root);
        }
        foreach (var name in new[] { "SdkAppId", "StartTimeStamp", "EndTimeStamp", "PageSize", "PageNumber" })
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number)
            {
                return ("MissingParameter", $"{name} is missing");
            }
        }
        var start = root.GetProperty("StartTimeStamp").GetInt64();
        var end = root.GetProperty("EndTimeStamp").GetInt64();
        var nowSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (root.GetProperty("PageSize").GetInt32() is < 1 or > 100 || root.GetProperty("PageNumber").GetInt32() < 0)
        {
            return ("InvalidParameterValue", "PageSize must be 1 to 100 and PageNumber at least 0");
        }
        if (end <= start || end - start >= 90 * 86400L || start < nowSeconds - 180 * 86400L)
        {
            return ("InvalidParameterValue", "the window must be shorter than 90 days within the last 180 days");
        }
        return (null, null);
    }

    /// <summary>DescribeSessionDetail's members (SDK models: SdkAppId, SessionId, StartTimestamp, EndTimestamp) and their limits.</summary>
    private static (string? Code, string? Message) SessionDetailProblem(JsonElement root)
    {
        string[] members = ["SdkAppId", "SessionId", "StartTimestamp", "EndTimestamp"];
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ("InvalidParameter", "the body is not a JSON object");
        }
        foreach (var member in root.EnumerateObject())
        {
            if (!members.Contains(member.Name, StringComparer.Ordinal))
            {
                return ("UnknownParameter", $"the parameter {member.Name} is not recognized");
            }
        }
        foreach (var name in members)
        {
            var kind = name == "SessionId" ? JsonValueKind.String : JsonValueKind.Number;
            if (!root.TryGetProperty(name, out var value) || value.ValueKind != kind)
            {
                return ("MissingParameter", $"{name} is missing");
            }
        }
        var start = root.GetProperty("StartTimestamp").GetInt64();
        var end = root.GetProperty("EndTimestamp").GetInt64();
        if (end <= start || end - start >= 90 * 86400L || start < DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 180 * 86400L)
        {
            return ("InvalidParameterValue", "the window must be shorter than 90 days within the last 180 days");
        }
        return (null, null);
    }

    private static (string Code, string Message)? SignatureProblem(HttpRequest request, byte[] body)
    {
        var authorization = request.Headers.Authorization.ToString();
        const string prefix = "TC3-HMAC-SHA256 ";
        if (!authorization.StartsWith(prefix, StringComparison.Ordinal))
        {
            return ("AuthFailure.InvalidAuthorization", "Authorization is not TC3-HMAC-SHA256");
        }
        var parts = authorization[prefix.Length..].Split(", ")
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedHeaders)
            || !parts.TryGetValue("Signature", out var signature))
        {
            return ("AuthFailure.InvalidAuthorization", "Authorization lacks Credential, SignedHeaders or Signature");
        }
        var scope = credential.Split('/');
        if (scope.Length != 4 || scope[3] != "tc3_request")
        {
            return ("AuthFailure.InvalidAuthorization", "the credential scope is malformed");
        }
        if (scope[0] != SecretId)
        {
            return ("AuthFailure.SecretIdNotFound", "the SecretId is unknown");
        }
        if (!long.TryParse(request.Headers["X-TC-Timestamp"], NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp) > 300)
        {
            return ("AuthFailure.SignatureExpire", "the timestamp is more than five minutes off");
        }
        var date = DateTimeOffset.FromUnixTimeSeconds(timestamp).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (scope[1] != date || scope[2] != "ccc")
        {
            return ("AuthFailure.SignatureFailure", "the credential scope does not match the request");
        }
        var canonicalHeaders = new StringBuilder();
        foreach (var name in signedHeaders.Split(';'))
        {
            var value = name == "host" ? request.Host.Host : request.Headers[name].ToString();
            canonicalHeaders.Append(name).Append(':').Append(value.Trim().ToLowerInvariant()).Append('\n');
        }
        var canonical = $"POST\n{request.Path}\n{request.QueryString.Value?.TrimStart('?')}\n{canonicalHeaders}\n{signedHeaders}\n{Hex(SHA256.HashData(body))}";
        var toSign = $"TC3-HMAC-SHA256\n{timestamp}\n{date}/ccc/tc3_request\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("TC3" + SecretKey);
        foreach (var step in new[] { date, "ccc", "tc3_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(step));
        }
        var expected = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? null
            : ("AuthFailure.SignatureFailure", "the signature does not match the request");
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
