using System.ComponentModel.DataAnnotations;

namespace CallPush.Api.Features.Reconciliation;

/// <summary><c>CallPush:Reconciliation</c>: when and how hard the platform's call records are pulled.</summary>
internal sealed class ReconciliationOptions
{
    public const string Section = "CallPush:Reconciliation";

    /// <summary>Whether this replica runs the scheduled windows (manual runs work either way).</summary>
    public bool Schedule { get; set; } = true;

    /// <summary>How often the sliding window runs.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How far back the sliding window reaches.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Lookback { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Whether the previous UTC day is swept once a day.</summary>
    public bool NightlySweep { get; set; } = true;

    /// <summary>The UTC time of day from which the previous day's sweep is due.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "23:59:59")]
    public TimeSpan NightlySweepAt { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How often the scheduler looks whether a window is due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>DescribeTelCdr's PageSize (the API allows at most 100).</summary>
    [Range(1, 100)]
    public int PageSize { get; set; } = 100;

    /// <summary>Requests per second to the API, per source (the API allows 20).</summary>
    [Range(1, 20)]
    public int RequestsPerSecond { get; set; } = 20;

    /// <summary>Attempts of one request answered RequestLimitExceeded or InternalError, or not answered.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The first backoff delay; it doubles with each attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
