using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CallPush.Api.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Reconciliation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "source",
                table: "push_log",
                type: "text",
                nullable: false,
                defaultValue: "push");

            migrationBuilder.CreateTable(
                name: "reconcile_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    source = table.Column<string>(type: "text", nullable: false),
                    trigger = table.Column<string>(type: "text", nullable: false),
                    window_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    window_end = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false),
                    pages = table.Column<int>(type: "integer", nullable: false),
                    sessions_seen = table.Column<int>(type: "integer", nullable: false),
                    missing = table.Column<int>(type: "integer", nullable: false),
                    filled = table.Column<int>(type: "integer", nullable: false),
                    updated = table.Column<int>(type: "integer", nullable: false),
                    errors = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_reconcile_runs", x => x.id);
                    table.CheckConstraint("ck_reconcile_runs_status", "status IN ('running', 'succeeded', 'failed', 'abandoned')");
                    table.CheckConstraint("ck_reconcile_runs_trigger", "trigger IN ('sliding', 'nightly', 'manual', 'api')");
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_push_log_source",
                table: "push_log",
                sql: "source IN ('push', 'reconcile')");

            migrationBuilder.CreateIndex(
                name: "ix_reconcile_runs_source_started_at",
                table: "reconcile_runs",
                columns: new[] { "source", "started_at" });

            migrationBuilder.Sql(ReaderRole.GrantSql(["reconcile_runs"]));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ReaderRole.RevokeSql(["reconcile_runs"]));

            migrationBuilder.DropTable(
                name: "reconcile_runs");

            migrationBuilder.DropCheckConstraint(
                name: "ck_push_log_source",
                table: "push_log");

            migrationBuilder.DropColumn(
                name: "source",
                table: "push_log");
        }
    }
}
