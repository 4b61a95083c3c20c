using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class IvrKeyPressConfiguration : IEntityTypeConfiguration<IvrKeyPress>
{
    public void Configure(EntityTypeBuilder<IvrKeyPress> builder)
    {
        builder.ToTable("ivr_key_presses", t => t.HasCheckConstraint("ck_ivr_key_presses_stage", "stage IN ('ivr', 'post_ivr')"));
        builder.HasKey(k => k.Id).HasName("pk_ivr_key_presses");
        builder.Property(k => k.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(k => new { k.CallSessionId, k.Stage, k.Position }).IsUnique().HasDatabaseName("ux_ivr_key_presses_call_session_id_stage_position");
    }
}
