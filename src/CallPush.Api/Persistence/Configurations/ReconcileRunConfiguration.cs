using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class ReconcileRunConfiguration : IEntityTypeConfiguration<ReconcileRun>
{
    public void Configure(EntityTypeBuilder<ReconcileRun> builder)
    {
        builder.ToTable("reconcile_runs", t =>
        {
            t.HasCheckConstraint("ck_reconcile_runs_status", "status IN ('running', 'succeeded', 'failed', 'abandoned')");
            t.HasCheckConstraint("ck_reconcile_runs_trigger", "trigger IN ('sliding', 'nightly', 'manual', 'api')");
        });
        builder.HasKey(r => r.Id).HasName("pk_reconcile_runs");
        builder.Property(r => r.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(r => new { r.Source, r.StartedAt }).HasDatabaseName("ix_reconcile_runs_source_started_at");
    }
}
