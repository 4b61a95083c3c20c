using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class StatSkillGroupIntervalConfiguration : IEntityTypeConfiguration<StatSkillGroupInterval>
{
    public void Configure(EntityTypeBuilder<StatSkillGroupInterval> builder)
    {
        builder.ToTable("stat_skill_group_intervals");
        builder.HasKey(i => new { i.SdkAppId, i.SkillGroupId, i.IntervalStart }).HasName("pk_stat_skill_group_intervals");
        builder.HasIndex(i => i.IntervalStart).HasDatabaseName("ix_stat_skill_group_intervals_interval_start");
    }
}
