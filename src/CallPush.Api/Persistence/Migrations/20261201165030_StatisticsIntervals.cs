using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CallPush.Api.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class StatisticsIntervals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_serve_participants_agent_id",
                table: "serve_participants");

            migrationBuilder.DropIndex(
                name: "ix_call_sessions_queued_skill_group",
                table: "call_sessions");

            migrationBuilder.DropIndex(
                name: "ix_call_sessions_seat_agent_id",
                table: "call_sessions");

            migrationBuilder.CreateTable(
                name: "stat_agent_intervals",
                columns: table => new
                {
                    sdk_app_id = table.Column<long>(type: "bigint", nullable: false),
                    agent_id = table.Column<long>(type: "bigint", nullable: false),
                    interval_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    offered = table.Column<int>(type: "integer", nullable: false),
                    answered = table.Column<int>(type: "integer", nullable: false),
                    not_answered = table.Column<int>(type: "integer", nullable: false),
                    ring_seconds = table.Column<long>(type: "bigint", nullable: false),
                    talk_seconds = table.Column<long>(type: "bigint", nullable: false),
                    inbound_offered = table.Column<int>(type: "integer", nullable: false),
                    inbound_answered = table.Column<int>(type: "integer", nullable: false),
                    outbound_offered = table.Column<int>(type: "integer", nullable: false),
                    outbound_answered = table.Column<int>(type: "integer", nullable: false),
                    outbound_connected = table.Column<int>(type: "integer", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stat_agent_intervals", x => new { x.sdk_app_id, x.agent_id, x.interval_start });
                });

            migrationBuilder.CreateTable(
                name: "stat_dirty_intervals",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    kind = table.Column<string>(type: "text", nullable: false),
                    sdk_app_id = table.Column<long>(type: "bigint", nullable: false),
                    key = table.Column<long>(type: "bigint", nullable: false),
                    interval_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    marked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stat_dirty_intervals", x => x.id);
                    table.CheckConstraint("ck_stat_dirty_intervals_kind", "kind IN ('skill_group', 'agent')");
                });

            migrationBuilder.CreateTable(
                name: "stat_skill_group_intervals",
                columns: table => new
                {
                    sdk_app_id = table.Column<long>(type: "bigint", nullable: false),
                    skill_group_id = table.Column<long>(type: "bigint", nullable: false),
                    interval_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    t1_seconds = table.Column<int>(type: "integer", nullable: false),
                    t2_seconds = table.Column<int>(type: "integer", nullable: false),
                    offered = table.Column<int>(type: "integer", nullable: false),
                    answered = table.Column<int>(type: "integer", nullable: false),
                    abandoned = table.Column<int>(type: "integer", nullable: false),
                    answered_within_t1 = table.Column<int>(type: "integer", nullable: false),
                    abandoned_within_t2 = table.Column<int>(type: "integer", nullable: false),
                    wait_seconds_total = table.Column<long>(type: "bigint", nullable: false),
                    wait_seconds_max = table.Column<int>(type: "integer", nullable: false),
                    talk_seconds_total = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stat_skill_group_intervals", x => new { x.sdk_app_id, x.skill_group_id, x.interval_start });
                });

            migrationBuilder.CreateIndex(
                name: "ix_serve_participants_agent_id",
                table: "serve_participants",
                columns: new[] { "agent_id", "ring_at", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ix_call_sessions_queued_skill_group",
                table: "call_sessions",
                columns: new[] { "sdk_app_id", "queued_skill_group_id", "queued_at" });

            migrationBuilder.CreateIndex(
                name: "ix_call_sessions_seat_agent_id",
                table: "call_sessions",
                columns: new[] { "seat_agent_id", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ix_stat_agent_intervals_interval_start",
                table: "stat_agent_intervals",
                column: "interval_start");

            migrationBuilder.CreateIndex(
                name: "ix_stat_skill_group_intervals_interval_start",
                table: "stat_skill_group_intervals",
                column: "interval_start");

            migrationBuilder.Sql(StatisticsSchemaSql.Up);
            migrationBuilder.Sql(ReaderRole.GrantSql(StatisticsSchemaSql.ReaderObjects));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ReaderRole.RevokeSql(StatisticsSchemaSql.ReaderObjects));
            migrationBuilder.Sql(StatisticsSchemaSql.Down);

            migrationBuilder.DropTable(
                name: "stat_agent_intervals");

            migrationBuilder.DropTable(
                name: "stat_dirty_intervals");

            migrationBuilder.DropTable(
                name: "stat_skill_group_intervals");

            migrationBuilder.DropIndex(
                name: "ix_serve_participants_agent_id",
                table: "serve_participants");

            migrationBuilder.DropIndex(
                name: "ix_call_sessions_queued_skill_group",
                table: "call_sessions");

            migrationBuilder.DropIndex(
                name: "ix_call_sessions_seat_agent_id",
                table: "call_sessions");

            migrationBuilder.CreateIndex(
                name: "ix_serve_participants_agent_id",
                table: "serve_participants",
                column: "agent_id");

            migrationBuilder.CreateIndex(
                name: "ix_call_sessions_queued_skill_group",
                table: "call_sessions",
                columns: new[] { "sdk_app_id", "queued_skill_group_id" });

            migrationBuilder.CreateIndex(
                name: "ix_call_sessions_seat_agent_id",
                table: "call_sessions",
                column: "seat_agent_id");
        }
    }
}
