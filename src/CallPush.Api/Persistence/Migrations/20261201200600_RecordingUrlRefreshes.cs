using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CallPush.Api.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class RecordingUrlRefreshes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // No grant to callpush_reader: refreshed_url is a signed URL that works for 24 hours.
            migrationBuilder.CreateTable(
                name: "recording_url_refreshes",
                columns: table => new
                {
                    recording_file_id = table.Column<long>(type: "bigint", nullable: false),
                    source_url = table.Column<string>(type: "text", nullable: false),
                    refreshed_url = table.Column<string>(type: "text", nullable: false),
                    refreshed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    request_id = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recording_url_refreshes", x => x.recording_file_id);
                    table.ForeignKey(
                        name: "fk_recording_url_refreshes_recording_file",
                        column: x => x.recording_file_id,
                        principalTable: "recording_files",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "recording_url_refreshes");
        }
    }
}
