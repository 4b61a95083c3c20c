using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace CallPush.Api.Persistence.Migrations;

[DbContext(typeof(CallPushDbContext))]
[Migration("20261121090000_InitialSchema")]
public sealed partial class InitialSchema : Migration
{
    private const string Identity = "Npgsql:ValueGenerationStrategy";
    private static readonly string[] AnalystTables =
        ["push_log", "call_sessions", "serve_participants", "agents", "skill_groups", "ivr_key_presses", "recordings", "voicemails"];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "push_log",
            columns: table => new
            {
                id = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation(Identity, NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                dedup_key = table.Column<string>(type: "text", nullable: false),
                push_uuid = table.Column<string>(type: "text", nullable: true),
                action = table.Column<string>(type: "text", nullable: true),
                version = table.Column<string>(type: "text", nullable: true),
                received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                sdk_app_id = table.Column<long>(type: "bigint", nullable: true),
                session_id = table.Column<string>(type: "text", nullable: true),
                status = table.Column<string>(type: "text", nullable: false),
                error_code = table.Column<int>(type: "integer", nullable: false),
                error = table.Column<string>(type: "text", nullable: true),
                body_bytes = table.Column<int>(type: "integer", nullable: false),
                body = table.Column<string>(type: "jsonb", nullable: true),
                raw_body = table.Column<byte[]>(type: "bytea", nullable: true),
                headers = table.Column<string>(type: "jsonb", nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("pk_push_log", x => x.id);
                table.CheckConstraint("ck_push_log_status", "status IN ('accepted', 'rejected')");
            });

        migrationBuilder.CreateTable(
            name: "agents",
            columns: table => new
            {
                id = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation(Identity, NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                sdk_app_id = table.Column<long>(type: "bigint", nullable: false),
                agent_key = table.Column<string>(type: "text", nullable: false),
                user_id = table.Column<string>(type: "text", nullable: true),
                mail = table.Column<string>(type: "text", nullable: true),
                name = table.Column<string>(type: "text", nullable: true),
                nick = table.Column<string>(type: "text", nullable: true),
                phone = table.Column<string>(type: "text", nullable: true),
                staff_number = table.Column<string>(type: "text", nullable: true),
                first_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table => table.PrimaryKey("pk_agents", x => x.id));

        migrationBuilder.CreateTable(
            name: "skill_groups",
            columns: table => new
            {
                sdk_app_id = table.Column<long>(type: "bigint", nullable: false),
                skill_group_id = table.Column<long>(type: "bigint", nullable: false),
                name = table.Column<string>(type: "text", nullable: true),
                first_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table => table.PrimaryKey("pk_skill_groups", x => new { x.sdk_app_id, x.skill_group_id }));

        migrationBuilder.CreateTable(
            name: "call_sessions",
            columns: table => new
            {
                id = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation(Identity, NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                sdk_app_id = table.Column<long>(type: "bigint", nullable: false),
                session_id = table.Column<string>(type: "text", nullable: false),
                caller = table.Column<string>(type: "text", nullable: true),
                callee = table.Column<string>(type: "text", nullable: true),
                direction = table.Column<short>(type: "smallint", nullable: true),
                duration_seconds = table.Column<int>(type: "integer", nullable: true),
                ivr_duration_seconds = table.Column<int>(type: "integer", nullable: true),
                caller_location = table.Column<string>(type: "text", nullable: true),
                seat_agent_id = table.Column<long>(type: "bigint", nullable: true),
                seat_skill_group_names = table.Column<string[]>(type: "text[]", nullable: true),
                started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                queued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                ring_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                accepted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                hung_up_side = table.Column<string>(type: "text", nullable: true),
                end_status = table.Column<string>(type: "text", nullable: true),
                queued_skill_group_id = table.Column<long>(type: "bigint", nullable: true),
                queued_skill_group_name = table.Column<string>(type: "text", nullable: true),
                record_id = table.Column<string>(type: "text", nullable: true),
                user_remark = table.Column<string>(type: "text", nullable: true),
                uui = table.Column<string>(type: "text", nullable: true),
                tel_number = table.Column<string>(type: "text", nullable: true),
                tel_country = table.Column<string>(type: "text", nullable: true),
                tel_province = table.Column<string>(type: "text", nullable: true),
                tel_city = table.Column<string>(type: "text", nullable: true),
                tel_operator = table.Column<string>(type: "text", nullable: true),
                call_type = table.Column<string>(type: "text", nullable: true),
                protected_caller = table.Column<string>(type: "text", nullable: true),
                asr_url = table.Column<string>(type: "text", nullable: true),
                voicemail_record_url = table.Column<string>(type: "text", nullable: true),
                cdr_push_id = table.Column<long>(type: "bigint", nullable: false),
                updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("pk_call_sessions", x => x.id);
                table.ForeignKey("fk_call_sessions_seat_agent", x => x.seat_agent_id, "agents", "id", onDelete: ReferentialAction.Restrict);
                table.ForeignKey("fk_call_sessions_queued_skill_group", x => new { x.sdk_app_id, x.queued_skill_group_id },
                    "skill_groups", ["sdk_app_id", "skill_group_id"], onDelete: ReferentialAction.Restrict);
                table.ForeignKey("fk_call_sessions_cdr_push", x => x.cdr_push_id, "push_log", "id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateTable(
            name: "serve_participants",
            columns: table => new
            {
                id = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation(Identity, NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                call_session_id = table.Column<long>(type: "bigint", nullable: false),
                sdk_app_id = table.Column<long>(type: "bigint", nullable: false),
                sequence = table.Column<int>(type: "integer", nullable: false),
                agent_id = table.Column<long>(type: "bigint", nullable: true),
                mail = table.Column<string>(type: "text", nullable: true),
                phone = table.Column<string>(type: "text", nullable: true),
                type = table.Column<string>(type: "text", nullable: true),
                started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                ring_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                accepted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                record_id = table.Column<string>(type: "text", nullable: true),
                transfer_from = table.Column<string>(type: "text", nullable: true),
                transfer_from_type = table.Column<string>(type: "text", nullable: true),
                transfer_to = table.Column<string>(type: "text", nullable: true),
                transfer_to_type = table.Column<string>(type: "text", nullable: true),
                skill_group_id = table.Column<long>(type: "bigint", nullable: true),
                skill_group_name = table.Column<string>(type: "text", nullable: true),
                skill_group_priority = table.Column<int>(type: "integer", nullable: true),
                end_status = table.Column<string>(type: "text", nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("pk_serve_participants", x => x.id);
                table.ForeignKey("fk_serve_participants_call_session", x => x.call_session_id, "call_sessions", "id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("fk_serve_participants_agent", x => x.agent_id, "agents", "id", onDelete: ReferentialAction.Restrict);
                table.ForeignKey("fk_serve_participants_skill_group", x => new { x.sdk_app_id, x.skill_group_id },
                    "skill_groups", ["sdk_app_id", "skill_group_id"], onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateTable(
            name: "ivr_key_presses",
            columns: table => new
            {
                id = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation(Identity, NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                call_session_id = table.Column<long>(type: "bigint", nullable: false),
                stage = table.Column<string>(type: "text", nullable: false),
                position = table.Column<int>(type: "integer", nullable: false),
                key = table.Column<string>(type: "text", nullable: true),
                label = table.Column<string>(type: "text", nullable: true),
                pressed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("pk_ivr_key_presses", x => x.id);
                table.ForeignKey("fk_ivr_key_presses_call_session", x => x.call_session_id, "call_sessions", "id", onDelete: ReferentialAction.Cascade);
                table.CheckConstraint("ck_ivr_key_presses_stage", "stage IN ('ivr', 'post_ivr')");
            });

        migrationBuilder.CreateTable(
            name: "recordings",
            columns: table => new
            {
                id = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation(Identity, NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                sdk_app_id = table.Column<long>(type: "bigint", nullable: false),
                session_id = table.Column<string>(type: "text", nullable: false),
                record_id = table.Column<string>(type: "text", nullable: true),
                endpoint_user = table.Column<string>(type: "text", nullable: true),
                record_url = table.Column<string>(type: "text", nullable: true),
                custom_record_url = table.Column<string>(type: "text", nullable: true),
                recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                push_id = table.Column<long>(type: "bigint", nullable: false),
                updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("pk_recordings", x => x.id);
                table.ForeignKey("fk_recordings_push", x => x.push_id, "push_log", "id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateTable(
            name: "voicemails",
            columns: table => new
            {
                id = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation(Identity, NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                sdk_app_id = table.Column<long>(type: "bigint", nullable: false),
                session_id = table.Column<string>(type: "text", nullable: false),
                endpoint_user = table.Column<string>(type: "text", nullable: true),
                record_url = table.Column<string>(type: "text", nullable: true),
                recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                push_id = table.Column<long>(type: "bigint", nullable: false),
                updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("pk_voicemails", x => x.id);
                table.ForeignKey("fk_voicemails_push", x => x.push_id, "push_log", "id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateIndex("ux_push_log_dedup_key", "push_log", "dedup_key", unique: true);
        migrationBuilder.CreateIndex("ix_push_log_received_at", "push_log", "received_at");
        migrationBuilder.CreateIndex("ix_push_log_sdk_app_id_session_id", "push_log", ["sdk_app_id", "session_id"]);
        migrationBuilder.CreateIndex("ix_push_log_not_accepted", "push_log", "status", filter: "status <> 'accepted'");

        migrationBuilder.CreateIndex("ux_agents_sdk_app_id_agent_key", "agents", ["sdk_app_id", "agent_key"], unique: true);

        migrationBuilder.CreateIndex("ux_call_sessions_sdk_app_id_session_id", "call_sessions", ["sdk_app_id", "session_id"], unique: true);
        migrationBuilder.CreateIndex("ix_call_sessions_started_at", "call_sessions", "started_at");
        migrationBuilder.CreateIndex("ix_call_sessions_seat_agent_id", "call_sessions", "seat_agent_id");
        migrationBuilder.CreateIndex("ix_call_sessions_queued_skill_group", "call_sessions", ["sdk_app_id", "queued_skill_group_id"]);
        migrationBuilder.CreateIndex("ix_call_sessions_caller", "call_sessions", "caller");
        migrationBuilder.CreateIndex("ix_call_sessions_callee", "call_sessions", "callee");
        migrationBuilder.CreateIndex("ix_call_sessions_cdr_push_id", "call_sessions", "cdr_push_id");

        migrationBuilder.CreateIndex("ux_serve_participants_call_session_id_sequence", "serve_participants", ["call_session_id", "sequence"], unique: true);
        migrationBuilder.CreateIndex("ix_serve_participants_agent_id", "serve_participants", "agent_id");
        migrationBuilder.CreateIndex("ix_serve_participants_skill_group", "serve_participants", ["sdk_app_id", "skill_group_id"]);

        migrationBuilder.CreateIndex("ux_ivr_key_presses_call_session_id_stage_position", "ivr_key_presses", ["call_session_id", "stage", "position"], unique: true);

        migrationBuilder.CreateIndex("ux_recordings_session_record_endpoint", "recordings", ["sdk_app_id", "session_id", "record_id", "endpoint_user"], unique: true)
            .Annotation("Npgsql:NullsDistinct", false);
        migrationBuilder.CreateIndex("ix_recordings_recorded_at", "recordings", "recorded_at");
        migrationBuilder.CreateIndex("ix_recordings_push_id", "recordings", "push_id");

        migrationBuilder.CreateIndex("ux_voicemails_sdk_app_id_session_id", "voicemails", ["sdk_app_id", "session_id"], unique: true);
        migrationBuilder.CreateIndex("ix_voicemails_recorded_at", "voicemails", "recorded_at");
        migrationBuilder.CreateIndex("ix_voicemails_push_id", "voicemails", "push_id");

        migrationBuilder.Sql(ReaderRole.CreateSql);
        migrationBuilder.Sql(ReaderRole.GrantSql(AnalystTables));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(ReaderRole.RevokeSql(AnalystTables));
        foreach (var table in new[] { "ivr_key_presses", "serve_participants", "call_sessions", "recordings", "voicemails", "agents", "skill_groups", "push_log" })
        {
            migrationBuilder.DropTable(table);
        }
    }
}
