using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class SkillGroupConfiguration : IEntityTypeConfiguration<SkillGroup>
{
    public void Configure(EntityTypeBuilder<SkillGroup> builder)
    {
        builder.ToTable("skill_groups");
        builder.HasKey(g => new { g.SdkAppId, g.SkillGroupId }).HasName("pk_skill_groups");
        builder.Property(g => g.SkillGroupId).ValueGeneratedNever();
    }
}
