using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CallPush.Simulator.Sessions;

namespace CallPush.Simulator.Sending;

internal sealed record PushClientOptions(Uri PushUrl)
{
    /// <summary>How long one delivery may take before it counts as failed and is pushed again.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Re-pushes after the first delivery: the platform documents at most 3.</summary>
    public int MaxRetries { get; init; } = 3;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Keep each request and answer as text (for <c>send</c>), not only their outcome.</summary>
    public bool CaptureExchanges { get; init; }

    public Uri AddressOf(SimulatedPush push)
    {
        var builder = new UriBuilder(PushUrl);
        builder.Query = string.IsNullOrEmpty(builder.Query) || builder.Query == "?" ? push.Query : builder.Query.TrimStart('?') + "&" + push.Query;
        return builder.Uri;
    }
}

/// <summary>One delivery of a push and how it ended: an answer with an ErrCode, or a failure with no usable answer.</summary>
internal sealed record PushAttempt(int Number, int? HttpStatus, int? ErrCode, string? ErrMsg, TimeSpan Latency, string? Failure)
{
    public bool Acknowledged => ErrCode == 0;
    public string? Request { get; init; }
    public string? Answer { get; init; }

    /// <summary>The key of the ErrCode histogram: the ErrCode, or what went wrong when there was none.</summary>
    public string Outcome => ErrCode is { } code ? code.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : Failure ?? "no ErrCode";
}

/// <summary>What happened to one push: every attempt to deliver it, the last one acknowledged or the re-pushes used up.</summary>
internal sealed record PushDelivery(SimulatedPush Push, IReadOnlyList<PushAttempt> Attempts)
{
    public bool Acknowledged => Attempts.Count > 0 && Attempts[^1].Acknowledged;

    /// <summary>Never sent (<c>load --drop</c>): the platform lost it.</summary>
    public bool Dropped => Attempts.Count == 0;
}

/// <summary>
/// Pushes like the platform does: POST to the registered address with the action in the query, a JSON body sent
/// as <c>application/json; charset=utf8</c> and the push's X-TCCC-PUSH-UUID; anything but ErrCode 0 (including a
/// transport failure or a timeout) is pushed again, same body, same UUID, at most <see cref="PushClientOptions.MaxRetries"/> times.
/// </summary>
internal sealed class PushClient(HttpClient http, PushClientOptions options, PushAuthentication authentication, TimeProvider? time = null)
{
    public const string PushUuidHeader = "X-TCCC-PUSH-UUID";
    private static readonly MediaTypeHeaderValue PlatformContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf8");
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public PushClientOptions Options => options;

    public PushAuthentication Authentication => authentication;

    public async Task<PushDelivery> SendAsync(SimulatedPush push, CancellationToken cancellationToken = default)
    {
        var attempts = new List<PushAttempt>(1);
        for (var number = 1; ; number++)
        {
            var attempt = await SendOnceAsync(push, number, cancellationToken);
            attempts.Add(attempt);
            if (attempt.Acknowledged || number > options.MaxRetries || cancellationToken.IsCancellationRequested)
            {
                return new PushDelivery(push, attempts);
            }
            if (options.RetryDelay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(options.RetryDelay, _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return new PushDelivery(push, attempts);
                }
            }
        }
    }

    private async Task<PushAttempt> SendOnceAsync(SimulatedPush push, int number, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var started = Stopwatch.GetTimestamp();
        string? requestText = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, options.AddressOf(push));
            request.Content = new ByteArrayContent(push.Body);
            request.Content.Headers.ContentType = PlatformContentType;
            request.Headers.TryAddWithoutValidation(PushUuidHeader, push.Uuid);
            var credential = await authentication.ApplyAsync(request, timeout.Token);
            if (options.CaptureExchanges)
            {
                requestText = Describe(request, push);
            }

            using var response = await http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var latency = Stopwatch.GetElapsedTime(started);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                authentication.Rejected(credential);
            }
            var (errCode, errMsg) = ReadAnswer(body);
            return new PushAttempt(number, (int)response.StatusCode, errCode, errMsg, latency,
                errCode is null ? $"HTTP {(int)response.StatusCode} without ErrCode" : null)
            {
                Request = requestText,
                Answer = options.CaptureExchanges ? Describe(response, body) : null,
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PushAttempt(number, null, null, null, Stopwatch.GetElapsedTime(started), "timeout") { Request = requestText };
        }
        catch (Exception e) when (e is HttpRequestException or TokenRequestException or IOException)
        {
            var failure = e is TokenRequestException ? "token request failed" : "transport error";
            return new PushAttempt(number, null, null, e.Message, Stopwatch.GetElapsedTime(started), failure) { Request = requestText };
        }
    }

    private static (int? ErrCode, string? ErrMsg) ReadAnswer(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("ErrCode", out var code) && code.TryGetInt32(out var errCode))
            {
                return (errCode, root.TryGetProperty("ErrMsg", out var message) ? message.ToString() : null);
            }
        }
        catch (JsonException)
        {
        }
        return (null, null);
    }

    /// <summary>The request as text for the console, with the credential itself left out.</summary>
    private static string Describe(HttpRequestMessage request, SimulatedPush push)
    {
        var text = new StringBuilder();
        text.Append(request.Method).Append(' ').Append(request.RequestUri).AppendLine();
        foreach (var header in request.Headers)
        {
            var value = header.Key == "Authorization" && request.Headers.Authorization is { } auth
                ? $"{auth.Scheme} <{auth.Parameter?.Length ?? 0} characters, not shown>"
                : string.Join(", ", header.Value);
            text.Append(header.Key).Append(": ").Append(value).AppendLine();
        }
        text.Append("Content-Type: ").Append(PlatformContentType).AppendLine();
        text.AppendLine();
        text.Append(PrettyJson(push.BodyText));
        return text.ToString();
    }

    private static string Describe(HttpResponseMessage response, string body) =>
        $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}{Environment.NewLine}{Environment.NewLine}{body}";

    private static string PrettyJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, PrettyJsonContext.Default.JsonElement);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(JsonElement))]
internal sealed partial class PrettyJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
