using System.ComponentModel.DataAnnotations;

namespace CallPush.Api.Features.Retention;

/// <summary><c>CallPush:Retention</c>: how long push_log rows no normalized row references are kept (see docs/retention.md).</summary>
internal sealed class RetentionOptions
{
    public const string Section = "CallPush:Retention";

    /// <summary>The age in days past which unreferenced rows are purged; not set, nothing is ever purged.</summary>
    [Range(1, 36500)]
    public int? PushLogDays { get; set; }

    /// <summary>Keeps rejected rows of any age (they are what reprocessing works on).</summary>
    public bool KeepRejected { get; set; }

    /// <summary>How often a replica tries a purge round.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows of push_log looked at per statement, each statement its own short transaction.</summary>
    [Range(1, 10000)]
    public int BatchSize { get; set; } = 1000;
}
