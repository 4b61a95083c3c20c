using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class RecordingFileConfiguration : IEntityTypeConfiguration<RecordingFile>
{
    public void Configure(EntityTypeBuilder<RecordingFile> builder)
    {
        builder.ToTable("recording_files", t =>
        {
            t.HasCheckConstraint("ck_recording_files_status", "status IN ('pending', 'archived', 'failed')");
            t.HasCheckConstraint("ck_recording_files_kind", "kind IN ('record', 'record_custom', 'voicemail')");
        });
        builder.HasKey(f => f.Id).HasName("pk_recording_files");
        builder.Property(f => f.Id).UseIdentityAlwaysColumn();
        builder.Property(f => f.Sha256).HasColumnName("sha256");
        builder.HasIndex(f => new { f.SdkAppId, f.SessionId, f.Kind, f.RecordingKey })
            .IsUnique()
            .HasDatabaseName("ux_recording_files_recording");
        builder.HasIndex(f => f.NextAttemptAt)
            .HasFilter("status = 'pending'")
            .HasDatabaseName("ix_recording_files_due");
    }
}
