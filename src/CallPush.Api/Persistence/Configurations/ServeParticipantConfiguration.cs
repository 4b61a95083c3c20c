using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class ServeParticipantConfiguration : IEntityTypeConfiguration<ServeParticipant>
{
    public void Configure(EntityTypeBuilder<ServeParticipant> builder)
    {
        builder.ToTable("serve_participants");
        builder.HasKey(p => p.Id).HasName("pk_serve_participants");
        builder.Property(p => p.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(p => new { p.CallSessionId, p.Sequence }).IsUnique().HasDatabaseName("ux_serve_participants_call_session_id_sequence");
        // An agent's tracks of one interval: by ring time, or by start time when there was no ring (docs/statistics.md).
        builder.HasIndex(p => new { p.AgentId, p.RingAt, p.StartedAt }).HasDatabaseName("ix_serve_participants_agent_id");
        builder.HasIndex(p => new { p.SdkAppId, p.SkillGroupId }).HasDatabaseName("ix_serve_participants_skill_group");

        builder.HasOne(p => p.Agent).WithMany()
            .HasForeignKey(p => p.AgentId)
            .HasConstraintName("fk_serve_participants_agent")
            .OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<SkillGroup>().WithMany()
            .HasForeignKey(p => new { p.SdkAppId, p.SkillGroupId })
            .HasConstraintName("fk_serve_participants_skill_group")
            .OnDelete(DeleteBehavior.Restrict);
    }
}
