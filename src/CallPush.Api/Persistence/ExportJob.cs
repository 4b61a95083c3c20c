namespace CallPush.Api.Persistence;

/// <summary>What to export (containers of some tenants), where (a connector) and when (a frequency in a time zone).</summary>
public sealed class ExportJob
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public long ConnectorId { get; set; }
    public required string[] Containers { get; set; }
    public required long[] Tenants { get; set; }

    /// <summary>The IANA time zone whose midnight separates the days of the fact files.</summary>
    public required string TimeZone { get; set; }

    /// <summary><c>once</c>, <c>daily</c>, <c>weekly</c>, <c>monthly</c> or <c>cron</c>.</summary>
    public required string Frequency { get; set; }

    /// <summary>Local time of day (HH:mm) of daily, weekly and monthly runs.</summary>
    public string? At { get; set; }

    public int? DayOfWeek { get; set; }
    public int? DayOfMonth { get; set; }
    public string? Cron { get; set; }
    public DateOnly? StartDate { get; set; }
    public DateOnly? EndDate { get; set; }
    public bool Enabled { get; set; }
    public bool Gzip { get; set; }
    public bool Bom { get; set; }
    public required string Source { get; set; }

    /// <summary>When the scheduler next starts a run; null when it never will (paused, ended, a run-once job that ran).</summary>
    public DateTimeOffset? NextRunAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
