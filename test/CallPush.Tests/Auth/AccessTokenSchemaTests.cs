using CallPush.Api.Persistence;
using CallPush.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CallPush.Tests.Auth;

public sealed class AccessTokenSchemaTests(PostgresFixture postgres)
{
    [Fact]
    public async Task The_migrated_token_table_matches_the_EF_model()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var context = PostgresFixture.CreateContext(connectionString);
        var entity = context.Model.FindEntityType(typeof(AccessToken))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var expected = entity.GetProperties()
            .Select(p => $"{p.GetColumnName(table)} {p.GetColumnType()} {(p.IsColumnNullable(table) ? "null" : "not null")}")
            .Order(StringComparer.Ordinal)
            .ToList();
        await using var app = new CallPushApp(connectionString);

        var actual = (await app.RowsAsync("""
                SELECT column_name || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || CASE WHEN is_nullable = 'YES' THEN 'null' ELSE 'not null' END AS c
                FROM information_schema.columns c
                JOIN pg_attribute a ON a.attrelid = 'oauth_access_tokens'::regclass AND a.attname = c.column_name
                WHERE c.table_name = 'oauth_access_tokens'
                """))
            .Select(r => (string)r["c"]!)
            .Order(StringComparer.Ordinal)
            .ToList();
        var indexes = await app.RowsAsync("SELECT indexname FROM pg_indexes WHERE tablename = 'oauth_access_tokens' ORDER BY indexname");

        Assert.Equal(expected, actual);
        Assert.Equal(["ix_oauth_access_tokens_expires_at", "pk_oauth_access_tokens"], indexes.Select(r => (string)r["indexname"]!));
        Assert.Equal("pk_oauth_access_tokens", entity.FindPrimaryKey()!.GetName());
        Assert.Equal("ix_oauth_access_tokens_expires_at", Assert.Single(entity.GetIndexes()).GetDatabaseName());
    }
}
