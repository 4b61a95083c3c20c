using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class VoicemailConfiguration : IEntityTypeConfiguration<Voicemail>
{
    public void Configure(EntityTypeBuilder<Voicemail> builder)
    {
        builder.ToTable("voicemails");
        builder.HasKey(v => v.Id).HasName("pk_voicemails");
        builder.Property(v => v.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(v => new { v.SdkAppId, v.SessionId }).IsUnique().HasDatabaseName("ux_voicemails_sdk_app_id_session_id");
        builder.HasIndex(v => v.RecordedAt).HasDatabaseName("ix_voicemails_recorded_at");
        builder.HasIndex(v => v.PushId).HasDatabaseName("ix_voicemails_push_id");
        builder.HasOne<PushLogEntry>().WithMany()
            .HasForeignKey(v => v.PushId)
            .HasConstraintName("fk_voicemails_push")
            .OnDelete(DeleteBehavior.Restrict);
    }
}
