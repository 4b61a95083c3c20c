using System.ComponentModel.DataAnnotations;

namespace CallPush.Api.Features.Push;

public sealed class PushOptions
{
    public const string Section = "CallPush:Push";

    /// <summary>The largest body accepted; a larger one is answered 413 without being read.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How long storing one push may take, retries included, before it is answered 503.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of a transient database failure (connection lost, deadlock, failover) within that time.</summary>
    [Range(0, 10)]
    public int StorageRetries { get; set; } = 2;
}
