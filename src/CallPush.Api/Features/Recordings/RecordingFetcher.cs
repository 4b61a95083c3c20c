using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CallPush.Api.Features.Recordings;

/// <summary>What one attempt at a recording came to, short of storing it.</summary>
internal abstract record FetchResult;

/// <summary>The whole body is in <paramref name="TempFile"/>; <paramref name="ContentType"/> is the server's, if it named one.</summary>
internal sealed record Downloaded(string TempFile, long Size, string Sha256, string? ContentType) : FetchResult;

/// <summary>
/// Not fetched. <paramref name="Reason"/> is the failures metric's tag; <paramref name="Message"/> goes to last_error and
/// never holds the URL's query (signed URLs carry credentials there).
/// </summary>
internal sealed record NotFetched(string Reason, string Message, bool Retry, TimeSpan? RetryAfter = null, bool NotFound = false) : FetchResult
{
    public static NotFetched Fail(string reason, string message) => new(reason, message, Retry: false);
    public static NotFetched Later(string reason, string message, TimeSpan? retryAfter = null) => new(reason, message, Retry: true, retryAfter);
}

/// <summary>
/// Downloads a recording into a local file while hashing it, with bounded memory. Redirects are followed here, at
/// most <see cref="MaxRedirects"/>, each target checked by the SSRF guard like the first URL.
/// </summary>
internal sealed class RecordingFetcher(IHttpClientFactory httpClientFactory, RecordingUrlGuard guard)
{
    public const string ClientName = "recordings";
    public const int MaxRedirects = 5;
    private const int BufferSize = 81920;

    public async Task<FetchResult> FetchAsync(Uri url, string tempFile, CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(ClientName);
        var current = url;
        for (var redirects = 0; ; redirects++)
        {
            if (guard.Refusal(current) is { } refusal)
            {
                return NotFetched.Fail("ssrf", (redirects > 0 ? "redirected: " : string.Empty) + refusal);
            }
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                var status = (int)response.StatusCode;
                if (status is 301 or 302 or 303 or 307 or 308)
                {
                    if (response.Headers.Location is not { } location)
                    {
                        return NotFetched.Fail("http_3xx", $"HTTP {status} from {current.Host} without a Location");
                    }
                    if (redirects == MaxRedirects)
                    {
                        return NotFetched.Fail("http_3xx", $"more than {MaxRedirects} redirects");
                    }
                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    return Unsuccessful(response, current.Host);
                }
                return await DownloadAsync(response, tempFile, cancellationToken);
            }
            catch (HttpRequestException e) when (Refused(e) is { } refused)
            {
                return NotFetched.Fail("ssrf", refused.Message);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is TimeoutRejectedException or OperationCanceledException)
            {
                return NotFetched.Later("timeout", $"no answer from {current.Host} in time");
            }
            catch (Exception e) when (e is HttpRequestException or IOException or SocketException or BrokenCircuitException)
            {
                return NotFetched.Later("network", $"{current.Host}: {e.Message}");
            }
        }
    }

    private static async Task<FetchResult> DownloadAsync(HttpResponseMessage response, string tempFile, CancellationToken cancellationToken)
    {
        var declared = response.Content.Headers.ContentLength;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long size = 0;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using var file = new FileStream(tempFile, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true);
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                size += read;
                if (size > declared)
                {
                    return NotFetched.Later("length", $"more than the {declared} bytes of its Content-Length");
                }
            }
        }
        catch (HttpIOException e) when (e.HttpRequestError == HttpRequestError.ResponseEnded && declared is not null)
        {
            return NotFetched.Later("length", $"the body ended after {size} of its {declared} bytes");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (declared is not null && size != declared)
        {
            return NotFetched.Later("length", $"{size} bytes instead of the {declared} of its Content-Length");
        }
        return new Downloaded(tempFile, size, Convert.ToHexStringLower(hash.GetHashAndReset()), response.Content.Headers.ContentType?.MediaType);
    }

    private static NotFetched Unsuccessful(HttpResponseMessage response, string host)
    {
        var status = (int)response.StatusCode;
        var message = $"HTTP {status} from {host}";
        var retryAfter = RetryAfter(response.Headers.RetryAfter);
        return status switch
        {
            403 or 404 => new NotFetched("http_4xx", message, Retry: true, retryAfter, NotFound: true),
            408 or 429 => NotFetched.Later("http_4xx", message, retryAfter),
            >= 500 => NotFetched.Later("http_5xx", message, retryAfter),
            >= 400 => NotFetched.Fail("http_4xx", message),
            _ => NotFetched.Fail("http_3xx", message),
        };
    }

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static RecordingAddressRefusedException? Refused(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is RecordingAddressRefusedException refused)
            {
                return refused;
            }
        }
        return null;
    }

    /// <summary>
    /// The HTTP client's connect step: resolves the host itself and connects only to the addresses the guard allows,
    /// so a name cannot be checked on one address and connected on another (DNS rebinding).
    /// </summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connector(RecordingUrlGuard guard) =>
        async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var allowed = addresses.Where(guard.IsAllowedAddress).ToArray();
            if (allowed.Length == 0)
            {
                throw new RecordingAddressRefusedException(
                    $"host '{host}' resolves only to internal addresses ({string.Join(", ", addresses.Select(a => a.ToString()))})");
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };

    public static bool IsRefusal(Exception? e) => e is not null && (e is RecordingAddressRefusedException || Refused(e) is not null);
}
