using System.ComponentModel.DataAnnotations;

namespace CallPush.Api.Features.StatisticsChannel;

public sealed class StatisticsChannelOptions
{
    public const string Section = "CallPush:StatisticsChannel";

    /// <summary>
    /// How the channel logs in: a role that is only a member of callpush_reader, never the service's own user. When it
    /// is empty and <see cref="ManageLoginRole"/> is off, /stats answers 503.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The service creates <see cref="LoginRole"/> itself (a member of callpush_reader with a new random password at
    /// every start) and logs in as it on its own server and database. Unset: on in the local run (private PostgreSQL),
    /// off otherwise. Needs a service user with CREATEROLE; meant for one instance, not for replicas.
    /// </summary>
    public bool? ManageLoginRole { get; set; }

    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "CallPush:StatisticsChannel:LoginRole must be a lower-case SQL identifier")]
    public string LoginRole { get; set; } = "callpush_stats";

    /// <summary>How long one statement may run, sending its rows included, before PostgreSQL cancels it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Rows answered at most; a larger result is cut there and says so (X-Stats-Truncated: true).</summary>
    [Range(1, 1_000_000)]
    public int MaxRows { get; set; } = 10_000;

    [Range(256, 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>Statements one API key may run at the same time; more are answered 429.</summary>
    [Range(1, 100)]
    public int MaxConcurrentStatementsPerKey { get; set; } = 2;

    /// <summary>Connections the channel opens at most (all keys together); the managed role gets this as its connection limit.</summary>
    [Range(1, 200)]
    public int MaxConnections { get; set; } = 10;
}
