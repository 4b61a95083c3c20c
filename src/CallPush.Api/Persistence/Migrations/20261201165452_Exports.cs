using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CallPush.Api.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Exports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: true),
                    xml = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "export_connectors",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    name = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false),
                    settings = table.Column<string>(type: "jsonb", nullable: false),
                    protected_secrets = table.Column<string>(type: "text", nullable: true),
                    source = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_export_connectors", x => x.id);
                    table.CheckConstraint("ck_export_connectors_kind", "kind IN ('folder', 's3')");
                    table.CheckConstraint("ck_export_connectors_source", "source IN ('api', 'config')");
                });

            migrationBuilder.CreateTable(
                name: "export_jobs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    name = table.Column<string>(type: "text", nullable: false),
                    connector_id = table.Column<long>(type: "bigint", nullable: false),
                    containers = table.Column<string[]>(type: "text[]", nullable: false),
                    tenants = table.Column<long[]>(type: "bigint[]", nullable: false),
                    time_zone = table.Column<string>(type: "text", nullable: false),
                    frequency = table.Column<string>(type: "text", nullable: false),
                    at = table.Column<string>(type: "text", nullable: true),
                    day_of_week = table.Column<int>(type: "integer", nullable: true),
                    day_of_month = table.Column<int>(type: "integer", nullable: true),
                    cron = table.Column<string>(type: "text", nullable: true),
                    start_date = table.Column<DateOnly>(type: "date", nullable: true),
                    end_date = table.Column<DateOnly>(type: "date", nullable: true),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    gzip = table.Column<bool>(type: "boolean", nullable: false),
                    bom = table.Column<bool>(type: "boolean", nullable: false),
                    source = table.Column<string>(type: "text", nullable: false),
                    next_run_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_export_jobs", x => x.id);
                    table.CheckConstraint("ck_export_jobs_frequency", "frequency IN ('once', 'daily', 'weekly', 'monthly', 'cron')");
                    table.CheckConstraint("ck_export_jobs_source", "source IN ('api', 'config')");
                    table.ForeignKey(
                        name: "fk_export_jobs_connector",
                        column: x => x.connector_id,
                        principalTable: "export_connectors",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "export_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    job_id = table.Column<long>(type: "bigint", nullable: false),
                    triggered_by = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false),
                    from_day = table.Column<DateOnly>(type: "date", nullable: true),
                    to_day = table.Column<DateOnly>(type: "date", nullable: true),
                    days = table.Column<DateOnly[]>(type: "date[]", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    lease_owner = table.Column<string>(type: "text", nullable: true),
                    lease_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    watermark = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    exported_through = table.Column<DateOnly>(type: "date", nullable: true),
                    files = table.Column<string>(type: "jsonb", nullable: true),
                    rows = table.Column<long>(type: "bigint", nullable: false),
                    bytes = table.Column<long>(type: "bigint", nullable: false),
                    error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_export_runs", x => x.id);
                    table.CheckConstraint("ck_export_runs_status", "status IN ('pending', 'processing', 'delivering', 'success', 'partial_success', 'handler_failed', 'delivery_failed')");
                    table.CheckConstraint("ck_export_runs_triggered_by", "triggered_by IN ('schedule', 'manual', 'cli')");
                    table.ForeignKey(
                        name: "fk_export_runs_job",
                        column: x => x.job_id,
                        principalTable: "export_jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ux_export_connectors_name",
                table: "export_connectors",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_export_jobs_connector_id",
                table: "export_jobs",
                column: "connector_id");

            migrationBuilder.CreateIndex(
                name: "ix_export_jobs_due",
                table: "export_jobs",
                column: "next_run_at",
                filter: "enabled");

            migrationBuilder.CreateIndex(
                name: "ux_export_jobs_name",
                table: "export_jobs",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_export_runs_job",
                table: "export_runs",
                columns: new[] { "job_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ux_export_runs_active",
                table: "export_runs",
                column: "job_id",
                unique: true,
                filter: "status IN ('pending', 'processing', 'delivering')");

            // Jobs and their run history are for analysts; connectors (encrypted secrets) and the keys that decrypt them are not.
            migrationBuilder.Sql(ReaderRole.GrantSql(["export_jobs", "export_runs"]));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ReaderRole.RevokeSql(["export_jobs", "export_runs"]));

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "export_runs");

            migrationBuilder.DropTable(
                name: "export_jobs");

            migrationBuilder.DropTable(
                name: "export_connectors");
        }
    }
}
