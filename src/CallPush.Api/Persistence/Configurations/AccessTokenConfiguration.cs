using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class AccessTokenConfiguration : IEntityTypeConfiguration<AccessToken>
{
    public void Configure(EntityTypeBuilder<AccessToken> builder)
    {
        builder.ToTable("oauth_access_tokens");
        builder.HasKey(t => t.TokenHash).HasName("pk_oauth_access_tokens");
        builder.Property(t => t.TokenHash).HasColumnType("bytea");
        builder.HasIndex(t => t.ExpiresAt).HasDatabaseName("ix_oauth_access_tokens_expires_at");
        builder.ToTable(t => t.HasCheckConstraint("ck_oauth_access_tokens_token_hash", "octet_length(token_hash) = 32"));
    }
}
