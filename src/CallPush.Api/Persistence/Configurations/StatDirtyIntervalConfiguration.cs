using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class StatDirtyIntervalConfiguration : IEntityTypeConfiguration<StatDirtyInterval>
{
    public void Configure(EntityTypeBuilder<StatDirtyInterval> builder)
    {
        builder.ToTable("stat_dirty_intervals", table => table.HasCheckConstraint(
            "ck_stat_dirty_intervals_kind", $"kind IN ('{StatDirtyInterval.SkillGroup}', '{StatDirtyInterval.Agent}')"));
        builder.HasKey(d => d.Id).HasName("pk_stat_dirty_intervals");
        builder.Property(d => d.Id).UseIdentityAlwaysColumn();
        builder.Property(d => d.MarkedAt).HasDefaultValueSql("now()");
    }
}
