using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class PushLogEntryConfiguration : IEntityTypeConfiguration<PushLogEntry>
{
    public void Configure(EntityTypeBuilder<PushLogEntry> builder)
    {
        builder.ToTable("push_log");
        builder.HasKey(p => p.Id).HasName("pk_push_log");
        builder.Property(p => p.Id).UseIdentityAlwaysColumn();
        builder.Property(p => p.Body).HasColumnType("jsonb");
        builder.Property(p => p.Headers).HasColumnType("jsonb");
        builder.Property(p => p.Source).HasDefaultValue(PushLogEntry.FromPush);
        builder.HasIndex(p => p.DedupKey).IsUnique().HasDatabaseName("ux_push_log_dedup_key");
        builder.HasIndex(p => p.ReceivedAt).HasDatabaseName("ix_push_log_received_at");
        builder.HasIndex(p => new { p.SdkAppId, p.SessionId }).HasDatabaseName("ix_push_log_sdk_app_id_session_id");
        builder.HasIndex(p => p.Status).HasFilter("status <> 'accepted'").HasDatabaseName("ix_push_log_not_accepted");
        builder.ToTable(t => t.HasCheckConstraint("ck_push_log_status", "status IN ('accepted', 'rejected')"));
        builder.ToTable(t => t.HasCheckConstraint("ck_push_log_source", "source IN ('push', 'reconcile')"));
    }
}
