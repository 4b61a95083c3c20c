using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys", t => t.HasCheckConstraint("ck_api_keys_key_hash", "octet_length(key_hash) = 32"));
        builder.HasKey(k => k.Id).HasName("pk_api_keys");
        builder.Property(k => k.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(k => k.Prefix).IsUnique().HasDatabaseName("ux_api_keys_prefix");
        builder.Property(k => k.Sources).HasDefaultValueSql("'{}'::text[]");
        builder.HasIndex(k => k.Name).HasFilter("revoked_at IS NULL").HasDatabaseName("ix_api_keys_active_name");
    }
}
