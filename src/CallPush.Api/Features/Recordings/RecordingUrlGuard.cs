using System.Net;
using System.Net.Sockets;

namespace CallPush.Api.Features.Recordings;

/// <summary>
/// The SSRF guard: recording URLs come from pushes, so the archive fetches only http(s) URLs on allowed hosts, and
/// never connects to an internal address unless private addresses are allowed.
/// </summary>
internal sealed class RecordingUrlGuard
{
    private readonly string[] _exactHosts;
    private readonly string[] _suffixes;
    private readonly bool _allowPrivateAddresses;

    public RecordingUrlGuard(string allowedHosts, bool allowPrivateAddresses)
    {
        var entries = allowedHosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(h => h.TrimEnd('.').ToLowerInvariant())
            .ToList();
        _exactHosts = [.. entries.Where(h => !h.StartsWith("*.", StringComparison.Ordinal))];
        _suffixes = [.. entries.Where(h => h.StartsWith("*.", StringComparison.Ordinal)).Select(h => h[1..])];
        _allowPrivateAddresses = allowPrivateAddresses;
    }

    /// <summary>Why the URL may not be fetched, or null when it may (its host's addresses are checked again on connect).</summary>
    public string? Refusal(Uri url)
    {
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            return $"scheme '{url.Scheme}' is not http or https";
        }
        var host = (url.HostNameType == UriHostNameType.IPv6 ? url.DnsSafeHost : url.IdnHost).TrimEnd('.').ToLowerInvariant();
        if (!IsAllowedHost(host))
        {
            return $"host '{host}' is not in CallPush__Recordings__AllowedHosts";
        }
        if (IPAddress.TryParse(host, out var address) && !IsAllowedAddress(address))
        {
            return $"address {address} is internal";
        }
        return null;
    }

    public bool IsAllowedHost(string host) =>
        _exactHosts.Contains(host, StringComparer.Ordinal)
        || _suffixes.Any(suffix => host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.Ordinal));

    public bool IsAllowedAddress(IPAddress address) => _allowPrivateAddresses || !IsInternal(address);

    /// <summary>Loopback, private, shared (100.64/10), link-local, unspecified, broadcast and multicast addresses.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address))
        {
            return true;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 0 || b[0] == 10
                || (b[0] == 172 && (b[1] & 0xF0) == 16)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 100 && (b[1] & 0xC0) == 64)
                || (b[0] == 169 && b[1] == 254)
                || b[0] >= 224;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.Equals(IPAddress.IPv6Any)
                || (b[0] & 0xFE) == 0xFC
                || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)
                || b[0] == 0xFF;
        }
        return true;
    }
}

/// <summary>Thrown by the connect callback for a host whose every address is internal: the request never leaves the service.</summary>
internal sealed class RecordingAddressRefusedException(string message) : IOException(message);
