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

    /// <summary>The most pushes written in one transaction by group commit; 1 writes every push alone.</summary>
    [Range(1, 1000)]
    public int MaxGroupSize { get; set; } = 64;

    /// <summary>How long a writer may hold a group that is not full, waiting for more pushes; zero writes at once.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:00.100")]
    public TimeSpan MaxGroupWait { get; set; } = TimeSpan.Zero;

    /// <summary>Transactions writing pushes at the same time (each holds one database connection).</summary>
    [Range(1, 64)]
    public int Writers { get; set; } = 4;

    /// <summary>Pushes that may wait for a writer; one more is answered 503 with Retry-After at once.</summary>
    [Range(1, 100_000)]
    public int QueueLimit { get; set; } = 1024;
}
