using System.ComponentModel.DataAnnotations;
using CallPush.Api.Features.Push;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Hosting;

public sealed class ServerLimitsOptions
{
    public const string Section = "CallPush:Server";

    /// <summary>How long a client may take to send the request headers: a slow sender cannot hold a connection open with them.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long an idle keep-alive connection stays open. Longer than the usual 60 s idle timeout of load balancers and
    /// ingresses, so that the proxy, not the service, closes an idle connection and no request races a close.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Open connections at most (HTTP/1.1 and HTTP/2); unlimited when not set.</summary>
    [Range(1, long.MaxValue)]
    public long? MaxConcurrentConnections { get; set; }
}

public sealed class ShutdownOptions
{
    public const string Section = "CallPush";

    /// <summary>
    /// How long a stop (SIGTERM) may take: the server stops accepting, lets pushes in flight finish, then exits. Below
    /// Kubernetes' default 30 s grace period, so the process exits before it would be killed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);
}

internal static class ServerLimits
{
    /// <summary>Kestrel's limits and the host's shutdown timeout, from configuration, chosen rather than left at their defaults.</summary>
    public static WebApplicationBuilder AddServerLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ServerLimitsOptions>().BindConfiguration(ServerLimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.Section).ValidateDataAnnotations()
            // A push still storing when the server gives up would lose its answer; the storage timeout ends it first.
            .Validate<IOptions<PushOptions>>((shutdown, push) => shutdown.ShutdownTimeout > push.Value.StorageTimeout,
                "CallPush:ShutdownTimeout must be longer than CallPush:Push:StorageTimeout, so that a push in flight is stored or refused before the server stops")
            .ValidateOnStart();

        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<ServerLimitsOptions>, IOptions<PushOptions>>((kestrel, server, push) =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = push.Value.MaxBodyBytes;
                kestrel.Limits.RequestHeadersTimeout = server.Value.RequestHeadersTimeout;
                kestrel.Limits.KeepAliveTimeout = server.Value.KeepAliveTimeout;
                kestrel.Limits.MaxConcurrentConnections = server.Value.MaxConcurrentConnections;
            });
        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.ShutdownTimeout);
        return builder;
    }
}
