using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using CallPush.Api.Answers;
using CallPush.Api.Diagnostics;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Hosting;

public sealed class ClientRateLimitOptions
{
    public const string Section = "CallPush:RateLimit";

    /// <summary>Off by default: the platform's own retries are bounded, and an ingress usually limits rates already.</summary>
    public bool Enabled { get; set; }

    /// <summary>Pushes one client address may send per <see cref="Window"/>.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 100;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);
}

internal static class ClientRateLimiting
{
    public const string PolicyName = "push-per-client-address";

    public static WebApplicationBuilder AddClientRateLimiting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ClientRateLimitOptions>().BindConfiguration(ClientRateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddRateLimiter(options => options.AddPolicy<string, ClientRateLimitPolicy>(PolicyName));
        return builder;
    }
}

/// <summary>
/// A fixed window of pushes per client address, answered 429 with ErrCode 4290 past it. The address is the connection's
/// peer: behind a proxy that is the proxy, unless forwarded headers are applied before this runs.
/// </summary>
internal sealed class ClientRateLimitPolicy(IOptions<ClientRateLimitOptions> options, CallPushMetrics metrics) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }
        var address = httpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = settings.PermitLimit,
            Window = settings.Window,
            QueueLimit = 0,
        });
    }

    private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var response = context.HttpContext.Response;
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }
        metrics.PushAnswered(PushTags.Action(context.HttpContext.Request.Query["action"]), PushOutcome.Rejected, duplicate: false, elapsed: null);
        await new ErrCodeAnswer(ErrCodes.TooManyRequests, "too many pushes from this address; push again later").WriteAsync(response, cancellationToken);
    }
}
