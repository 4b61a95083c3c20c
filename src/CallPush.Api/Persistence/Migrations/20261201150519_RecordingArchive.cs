using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CallPush.Api.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class RecordingArchive : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    name = table.Column<string>(type: "text", nullable: false),
                    prefix = table.Column<string>(type: "text", nullable: false),
                    key_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                    table.CheckConstraint("ck_api_keys_key_hash", "octet_length(key_hash) = 32");
                });

            migrationBuilder.CreateTable(
                name: "recording_access_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    accessed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    api_key_prefix = table.Column<string>(type: "text", nullable: false),
                    operation = table.Column<string>(type: "text", nullable: false),
                    recording_file_id = table.Column<long>(type: "bigint", nullable: true),
                    sdk_app_id = table.Column<long>(type: "bigint", nullable: true),
                    session_id = table.Column<string>(type: "text", nullable: true),
                    range = table.Column<string>(type: "text", nullable: true),
                    bytes_sent = table.Column<long>(type: "bigint", nullable: false),
                    status_code = table.Column<int>(type: "integer", nullable: false),
                    client_address = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recording_access_log", x => x.id);
                    table.CheckConstraint("ck_recording_access_log_operation", "operation IN ('list', 'content')");
                });

            migrationBuilder.CreateTable(
                name: "recording_files",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    sdk_app_id = table.Column<long>(type: "bigint", nullable: false),
                    session_id = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false),
                    recording_key = table.Column<string>(type: "text", nullable: false),
                    record_id = table.Column<string>(type: "text", nullable: true),
                    endpoint_user = table.Column<string>(type: "text", nullable: true),
                    source_url = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    enqueued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    size_bytes = table.Column<long>(type: "bigint", nullable: true),
                    sha256 = table.Column<string>(type: "text", nullable: true),
                    content_type = table.Column<string>(type: "text", nullable: true),
                    duration_seconds = table.Column<double>(type: "double precision", nullable: true),
                    storage_key = table.Column<string>(type: "text", nullable: true),
                    archived_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recording_files", x => x.id);
                    table.CheckConstraint("ck_recording_files_kind", "kind IN ('record', 'record_custom', 'voicemail')");
                    table.CheckConstraint("ck_recording_files_status", "status IN ('pending', 'archived', 'failed')");
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_active_name",
                table: "api_keys",
                column: "name",
                filter: "revoked_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ux_api_keys_prefix",
                table: "api_keys",
                column: "prefix",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_recording_access_log_accessed_at",
                table: "recording_access_log",
                column: "accessed_at");

            migrationBuilder.CreateIndex(
                name: "ix_recording_access_log_recording_file_id",
                table: "recording_access_log",
                column: "recording_file_id");

            migrationBuilder.CreateIndex(
                name: "ix_recording_files_due",
                table: "recording_files",
                column: "next_attempt_at",
                filter: "status = 'pending'");

            migrationBuilder.CreateIndex(
                name: "ux_recording_files_recording",
                table: "recording_files",
                columns: new[] { "sdk_app_id", "session_id", "kind", "recording_key" },
                unique: true);

            // The archive queue and the access audit are for analysts; API keys, like tokens, are not.
            migrationBuilder.Sql(ReaderRole.GrantSql(["recording_files", "recording_access_log"]));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ReaderRole.RevokeSql(["recording_files", "recording_access_log"]));

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "recording_access_log");

            migrationBuilder.DropTable(
                name: "recording_files");
        }
    }
}
