using System.ComponentModel.DataAnnotations;

namespace CallPush.Api.Features.Exports;

/// <summary><c>CallPush__Exports__*</c>: where folder connectors may write, how runs are scheduled, and declared jobs.</summary>
internal sealed class ExportsOptions
{
    public const string Section = "CallPush:Exports";

    /// <summary>Every folder connector writes under this folder; relative paths are under the working directory.</summary>
    public string FolderRoot { get; set; } = Path.Combine(".callpush", "exports");

    /// <summary>Where files are written before they are delivered; the system's temporary folder when not set.</summary>
    public string? TempPath { get; set; }

    /// <summary>
    /// A folder for the Data Protection keys that encrypt connector secrets. When not set the keys are kept in the
    /// database (table data_protection_keys), which every replica shares.
    /// </summary>
    public string? KeysPath { get; set; }

    /// <summary>Names used instead of the SdkAppId in paths: <c>TenantNames:1400000001=acme</c>.</summary>
    public Dictionary<string, string> TenantNames { get; set; } = [];

    /// <summary>How often the scheduler looks for due jobs and pending runs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a run stays with its replica without a heartbeat before another replica takes it over.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A run that was taken over this many times ends handler_failed.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The most days one incremental run exports when it catches up.</summary>
    [Range(1, 3660)]
    public int MaxDaysPerRun { get; set; } = 31;

    /// <summary>Pushes received this close to a run's start are looked at again by the next run (transactions still open).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan WatermarkGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Run the scheduler in this process (the service); off for a replica that should only serve the API.</summary>
    public bool SchedulerEnabled { get; set; } = true;

    /// <summary>Connectors declared in configuration: <c>Connectors:&lt;name&gt;:Kind</c>, <c>Path</c> or <c>Bucket</c>, ...</summary>
    public Dictionary<string, DeclaredConnector> Connectors { get; set; } = [];

    /// <summary>Jobs declared in configuration: <c>Jobs:&lt;name&gt;:Connector</c>, <c>Containers</c>, <c>Tenants</c>, ...</summary>
    public Dictionary<string, DeclaredJob> Jobs { get; set; } = [];
}

internal sealed class DeclaredConnector
{
    public string Kind { get; set; } = "folder";
    public string? Path { get; set; }
    public string? Bucket { get; set; }
    public string? Prefix { get; set; }
    public string? Region { get; set; }
    public Uri? ServiceUrl { get; set; }
    public bool ForcePathStyle { get; set; }
    public string? AccessKey { get; set; }

    /// <summary>Read from configuration at each use, never copied into the database.</summary>
    public string? SecretKey { get; set; }
}

internal sealed class DeclaredJob
{
    public string? Connector { get; set; }
    public string[] Containers { get; set; } = [];
    public long[] Tenants { get; set; } = [];
    public string TimeZone { get; set; } = "UTC";
    public string Frequency { get; set; } = "daily";
    public string? At { get; set; }
    public int? DayOfWeek { get; set; }
    public int? DayOfMonth { get; set; }
    public string? Cron { get; set; }
    public DateOnly? StartDate { get; set; }
    public DateOnly? EndDate { get; set; }
    public bool Enabled { get; set; } = true;
    public bool Gzip { get; set; }
    public bool Bom { get; set; }
}
