using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class TenantReaderGrantConfiguration : IEntityTypeConfiguration<TenantReaderGrant>
{
    public void Configure(EntityTypeBuilder<TenantReaderGrant> builder)
    {
        builder.ToTable("tenant_reader_grants");
        builder.HasKey(g => new { g.RoleName, g.Source, g.SdkAppId }).HasName("pk_tenant_reader_grants");
    }
}
