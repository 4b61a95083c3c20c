using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class ExportJobConfiguration : IEntityTypeConfiguration<ExportJob>
{
    public void Configure(EntityTypeBuilder<ExportJob> builder)
    {
        builder.ToTable("export_jobs", t =>
        {
            t.HasCheckConstraint("ck_export_jobs_frequency", "frequency IN ('once', 'daily', 'weekly', 'monthly', 'cron')");
            t.HasCheckConstraint("ck_export_jobs_source", "source IN ('api', 'config')");
        });
        builder.HasKey(j => j.Id).HasName("pk_export_jobs");
        builder.Property(j => j.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(j => j.Name).IsUnique().HasDatabaseName("ux_export_jobs_name");
        builder.HasIndex(j => j.NextRunAt).HasFilter("enabled").HasDatabaseName("ix_export_jobs_due");
        builder.HasOne<ExportConnector>().WithMany().HasForeignKey(j => j.ConnectorId)
            .OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_export_jobs_connector");
    }
}
