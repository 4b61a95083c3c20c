using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class StatAgentIntervalConfiguration : IEntityTypeConfiguration<StatAgentInterval>
{
    public void Configure(EntityTypeBuilder<StatAgentInterval> builder)
    {
        builder.ToTable("stat_agent_intervals");
        builder.HasKey(i => new { i.SdkAppId, i.AgentId, i.IntervalStart }).HasName("pk_stat_agent_intervals");
        builder.HasIndex(i => i.IntervalStart).HasDatabaseName("ix_stat_agent_intervals_interval_start");
    }
}
