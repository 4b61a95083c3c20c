using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class RecordingUrlRefreshConfiguration : IEntityTypeConfiguration<RecordingUrlRefresh>
{
    public void Configure(EntityTypeBuilder<RecordingUrlRefresh> builder)
    {
        builder.ToTable("recording_url_refreshes");
        builder.HasKey(r => r.RecordingFileId).HasName("pk_recording_url_refreshes");
        builder.HasOne<RecordingFile>()
            .WithOne()
            .HasForeignKey<RecordingUrlRefresh>(r => r.RecordingFileId)
            .OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_recording_url_refreshes_recording_file");
    }
}
