using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class RecordingAccessConfiguration : IEntityTypeConfiguration<RecordingAccess>
{
    public void Configure(EntityTypeBuilder<RecordingAccess> builder)
    {
        builder.ToTable("recording_access_log", t => t.HasCheckConstraint("ck_recording_access_log_operation", "operation IN ('list', 'content')"));
        builder.HasKey(a => a.Id).HasName("pk_recording_access_log");
        builder.Property(a => a.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(a => a.AccessedAt).HasDatabaseName("ix_recording_access_log_accessed_at");
        builder.HasIndex(a => a.RecordingFileId).HasDatabaseName("ix_recording_access_log_recording_file_id");
    }
}
