using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class AgentConfiguration : IEntityTypeConfiguration<Agent>
{
    public void Configure(EntityTypeBuilder<Agent> builder)
    {
        builder.ToTable("agents");
        builder.HasKey(a => a.Id).HasName("pk_agents");
        builder.Property(a => a.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(a => new { a.SdkAppId, a.AgentKey }).IsUnique().HasDatabaseName("ux_agents_sdk_app_id_agent_key");
    }
}
