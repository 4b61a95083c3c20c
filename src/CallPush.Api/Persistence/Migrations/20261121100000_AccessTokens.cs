using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CallPush.Api.Persistence.Migrations;

/// <summary>Tokens issued by POST /oauth/token. Secret material: deliberately not granted to the analysts' role.</summary>
[DbContext(typeof(CallPushDbContext))]
[Migration("20261121100000_AccessTokens")]
public sealed partial class AccessTokens : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "oauth_access_tokens",
            columns: table => new
            {
                token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                client_id = table.Column<string>(type: "text", nullable: false),
                issued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("pk_oauth_access_tokens", x => x.token_hash);
                table.CheckConstraint("ck_oauth_access_tokens_token_hash", "octet_length(token_hash) = 32");
            });
        migrationBuilder.CreateIndex("ix_oauth_access_tokens_expires_at", "oauth_access_tokens", "expires_at");
        migrationBuilder.Sql($"""
            DO $$
            BEGIN
                IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{ReaderRole.Name}') THEN
                    REVOKE ALL ON oauth_access_tokens FROM {ReaderRole.Name};
                END IF;
            END
            $$;
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("oauth_access_tokens");
}
