using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CallPush.Api.Persistence.Configurations;

internal sealed class ExportConnectorConfiguration : IEntityTypeConfiguration<ExportConnector>
{
    public void Configure(EntityTypeBuilder<ExportConnector> builder)
    {
        builder.ToTable("export_connectors", t =>
        {
            t.HasCheckConstraint("ck_export_connectors_kind", "kind IN ('folder', 's3')");
            t.HasCheckConstraint("ck_export_connectors_source", "source IN ('api', 'config')");
        });
        builder.HasKey(c => c.Id).HasName("pk_export_connectors");
        builder.Property(c => c.Id).UseIdentityAlwaysColumn();
        builder.Property(c => c.Settings).HasColumnType("jsonb");
        builder.HasIndex(c => c.Name).IsUnique().HasDatabaseName("ux_export_connectors_name");
    }
}
