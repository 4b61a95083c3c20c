using System.Threading.RateLimiting;
using CallPush.Api.Answers;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

/// <summary>
/// Counts authentication failures per client address and turns an address away once it has used up its failures
/// for the window. It is built on the limiters behind ASP.NET Core's rate limiting, but not on its middleware: the
/// middleware spends a permit on every request before its outcome is known, which would throttle a busy, correctly
/// authenticated sender; here only failures spend permits.
/// </summary>
internal sealed class FailureLimiter : IDisposable
{
    public static readonly ErrCodeAnswer TooManyFailures = new(ErrCodes.TooManyRequests, "too many failed authentication attempts; try again later");

    private readonly PartitionedRateLimiter<string> _limiter;

    public FailureLimiter(IOptions<PushAuthOptions> options)
    {
        var settings = options.Value;
        Window = settings.FailureWindow;
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ =>
            new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.MaxFailures,
                Window = settings.FailureWindow,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public TimeSpan Window { get; }

    public static string AddressOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>True when this address has no failures left in the current window.</summary>
    public bool IsBlocked(string address)
    {
        // Asking for zero permits only tells whether any are left, without spending one.
        using var lease = _limiter.AttemptAcquire(address, 0);
        return !lease.IsAcquired;
    }

    public void RecordFailure(string address)
    {
        using var lease = _limiter.AttemptAcquire(address, 1);
    }

    public void Dispose() => _limiter.Dispose();
}
