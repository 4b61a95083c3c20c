using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CallPush.Api.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class PushSources : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "source_name",
                table: "push_log",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "source_name",
                table: "oauth_access_tokens",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "source_name",
                table: "push_log");

            migrationBuilder.DropColumn(
                name: "source_name",
                table: "oauth_access_tokens");
        }
    }
}
