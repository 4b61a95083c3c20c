using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class ExportRunConfiguration : IEntityTypeConfiguration<ExportRun>
{
    public void Configure(EntityTypeBuilder<ExportRun> builder)
    {
        builder.ToTable("export_runs", t =>
        {
            t.HasCheckConstraint("ck_export_runs_status",
                "status IN ('pending', 'processing', 'delivering', 'success', 'partial_success', 'handler_failed', 'delivery_failed')");
            t.HasCheckConstraint("ck_export_runs_triggered_by", "triggered_by IN ('schedule', 'manual', 'cli')");
        });
        builder.HasKey(r => r.Id).HasName("pk_export_runs");
        builder.Property(r => r.Id).UseIdentityAlwaysColumn();
        builder.Property(r => r.Files).HasColumnType("jsonb");
        builder.HasOne<ExportJob>().WithMany().HasForeignKey(r => r.JobId)
            .OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_export_runs_job");
        builder.HasIndex(r => new { r.JobId, r.Id }).HasDatabaseName("ix_export_runs_job");
        // One execution at a time per job, whichever replica or trigger starts it.
        builder.HasIndex(r => r.JobId).IsUnique()
            .HasFilter("status IN ('pending', 'processing', 'delivering')")
            .HasDatabaseName("ux_export_runs_active");
    }
}
