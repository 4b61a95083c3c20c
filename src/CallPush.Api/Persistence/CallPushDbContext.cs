using System.Text;
using Microsoft.EntityFrameworkCore;

namespace CallPush.Api.Persistence;

public sealed class CallPushDbContext(DbContextOptions<CallPushDbContext> options) : DbContext(options)
{
    public DbSet<PushLogEntry> PushLog => Set<PushLogEntry>();
    public DbSet<CallSession> CallSessions => Set<CallSession>();
    public DbSet<ServeParticipant> ServeParticipants => Set<ServeParticipant>();
    public DbSet<Agent> Agents => Set<Agent>();
    public DbSet<SkillGroup> SkillGroups => Set<SkillGroup>();
    public DbSet<IvrKeyPress> IvrKeyPresses => Set<IvrKeyPress>();
    public DbSet<Recording> Recordings => Set<Recording>();
    public DbSet<Voicemail> Voicemails => Set<Voicemail>();
    public DbSet<RecordingFile> RecordingFiles => Set<RecordingFile>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<RecordingAccess> RecordingAccessLog => Set<RecordingAccess>();
    public DbSet<StatSkillGroupInterval> StatSkillGroupIntervals => Set<StatSkillGroupInterval>();
    public DbSet<StatAgentInterval> StatAgentIntervals => Set<StatAgentInterval>();
    public DbSet<StatDirtyInterval> StatDirtyIntervals => Set<StatDirtyInterval>();
    public DbSet<ReconcileRun> ReconcileRuns => Set<ReconcileRun>();
    public DbSet<TenantReaderGrant> TenantReaderGrants => Set<TenantReaderGrant>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CallPushDbContext).Assembly);

        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetProperties()))
        {
            property.SetColumnName(ToSnakeCase(property.Name));
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1]))
            {
                builder.Append('_');
            }
            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }
}
