using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class RecordingConfiguration : IEntityTypeConfiguration<Recording>
{
    public void Configure(EntityTypeBuilder<Recording> builder)
    {
        builder.ToTable("recordings");
        builder.HasKey(r => r.Id).HasName("pk_recordings");
        builder.Property(r => r.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(r => new { r.SdkAppId, r.SessionId, r.RecordId, r.EndpointUser })
            .IsUnique()
            .AreNullsDistinct(false)
            .HasDatabaseName("ux_recordings_session_record_endpoint");
        builder.HasIndex(r => r.RecordedAt).HasDatabaseName("ix_recordings_recorded_at");
        builder.HasIndex(r => r.PushId).HasDatabaseName("ix_recordings_push_id");
        builder.HasOne<PushLogEntry>().WithMany()
            .HasForeignKey(r => r.PushId)
            .HasConstraintName("fk_recordings_push")
            .OnDelete(DeleteBehavior.Restrict);
    }
}
