namespace CallPush.Api.Persistence;

public sealed class DatabaseOptions
{
    public const string Section = "CallPush:Database";
    public const string ConnectionStringName = "CallPush";

    /// <summary>Apply pending migrations at start-up (several replicas may do so at once: EF Core serializes them).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
