using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CallPush.Api.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class TenantReaders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string[]>(
                name: "sources",
                table: "api_keys",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.CreateTable(
                name: "tenant_reader_grants",
                columns: table => new
                {
                    role_name = table.Column<string>(type: "text", nullable: false),
                    source = table.Column<string>(type: "text", nullable: false),
                    sdk_app_id = table.Column<long>(type: "bigint", nullable: false),
                    granted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tenant_reader_grants", x => new { x.role_name, x.source, x.sdk_app_id });
                });

            migrationBuilder.Sql(TenantReaderSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(TenantReaderSql.Down);

            migrationBuilder.DropTable(
                name: "tenant_reader_grants");

            migrationBuilder.DropColumn(
                name: "sources",
                table: "api_keys");
        }
    }
}
