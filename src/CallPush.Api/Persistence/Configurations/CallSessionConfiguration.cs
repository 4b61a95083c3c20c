using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class CallSessionConfiguration : IEntityTypeConfiguration<CallSession>
{
    public void Configure(EntityTypeBuilder<CallSession> builder)
    {
        builder.ToTable("call_sessions");
        builder.HasKey(s => s.Id).HasName("pk_call_sessions");
        builder.Property(s => s.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(s => new { s.SdkAppId, s.SessionId }).IsUnique().HasDatabaseName("ux_call_sessions_sdk_app_id_session_id");
        builder.HasIndex(s => s.StartedAt).HasDatabaseName("ix_call_sessions_started_at");
        // With the time column, an agent's or a skill group's calls of one day (reports, statistics) are one index range.
        builder.HasIndex(s => new { s.SeatAgentId, s.StartedAt }).HasDatabaseName("ix_call_sessions_seat_agent_id");
        builder.HasIndex(s => new { s.SdkAppId, s.QueuedSkillGroupId, s.QueuedAt }).HasDatabaseName("ix_call_sessions_queued_skill_group");
        builder.HasIndex(s => s.Caller).HasDatabaseName("ix_call_sessions_caller");
        builder.HasIndex(s => s.Callee).HasDatabaseName("ix_call_sessions_callee");
        builder.HasIndex(s => s.CdrPushId).HasDatabaseName("ix_call_sessions_cdr_push_id");

        builder.HasOne(s => s.SeatAgent).WithMany()
            .HasForeignKey(s => s.SeatAgentId)
            .HasConstraintName("fk_call_sessions_seat_agent")
            .OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<SkillGroup>().WithMany()
            .HasForeignKey(s => new { s.SdkAppId, s.QueuedSkillGroupId })
            .HasConstraintName("fk_call_sessions_queued_skill_group")
            .OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<PushLogEntry>().WithMany()
            .HasForeignKey(s => s.CdrPushId)
            .HasConstraintName("fk_call_sessions_cdr_push")
            .OnDelete(DeleteBehavior.Restrict);

        builder.HasMany(s => s.ServeParticipants).WithOne()
            .HasForeignKey(p => p.CallSessionId)
            .HasConstraintName("fk_serve_participants_call_session")
            .OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(s => s.IvrKeyPresses).WithOne()
            .HasForeignKey(k => k.CallSessionId)
            .HasConstraintName("fk_ivr_key_presses_call_session")
            .OnDelete(DeleteBehavior.Cascade);
    }
}
