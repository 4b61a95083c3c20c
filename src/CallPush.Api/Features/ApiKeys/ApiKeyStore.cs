using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;

namespace CallPush.Api.Features.ApiKeys;

internal sealed record CreatedApiKey(string Key, string Prefix);

internal sealed record ApiKeyListing(string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt,
    string[] Sources);

/// <summary>Who a presented key belongs to, and the sources it is limited to (none: not limited).</summary>
internal sealed record ApiKeyHolder(string Name, string Prefix, string[] Sources);

internal enum RevokeResult
{
    Revoked,
    AlreadyRevoked,
    NotFound,
}

/// <summary>Thrown when a name already has its <see cref="ApiKeyStore.MaxActivePerName"/> active keys.</summary>
internal sealed class TooManyActiveKeysException(string name)
    : Exception($"'{name}' already has {ApiKeyStore.MaxActivePerName} active keys: revoke one with 'api-keys revoke <prefix>' before creating another")
{
    public string Name { get; } = name;
}

/// <summary>Analyst API keys in PostgreSQL (table api_keys), so every replica accepts them and a revocation counts at once.</summary>
internal sealed class ApiKeyStore(NpgsqlDataSource dataSource)
{
    /// <summary>Two, so a key can be replaced without downtime: create the new one, switch, revoke the old one.</summary>
    public const int MaxActivePerName = 2;

    private const string LastUsedResolution = "1 minute";

    public Task<CreatedApiKey> CreateAsync(string name, CancellationToken cancellationToken) => CreateAsync(name, [], cancellationToken);

    public async Task<CreatedApiKey> CreateAsync(string name, string[] sources, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Two creators for one name at once would both count one active key and both insert: the lock orders them.
        await using (var lockName = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('callpush.api_keys:' || $1, 0))", connection, transaction))
        {
            lockName.Parameters.Add(new NpgsqlParameter { Value = name });
            await lockName.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM api_keys WHERE name = $1 AND revoked_at IS NULL", connection, transaction))
        {
            count.Parameters.Add(new NpgsqlParameter { Value = name });
            if ((long)(await count.ExecuteScalarAsync(cancellationToken))! >= MaxActivePerName)
            {
                throw new TooManyActiveKeysException(name);
            }
        }
        while (true)
        {
            var prefix = ApiKeyFormat.NewPrefix();
            var key = ApiKeyFormat.NewKey(prefix);
            await using var insert = new NpgsqlCommand("""
                INSERT INTO api_keys (name, prefix, key_hash, sources, created_at) VALUES ($1, $2, $3, $4, now())
                ON CONFLICT (prefix) DO NOTHING
                """, connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter { Value = name });
            insert.Parameters.Add(new NpgsqlParameter { Value = prefix });
            insert.Parameters.Add(new NpgsqlParameter { Value = ApiKeyFormat.Hash(key), NpgsqlDbType = NpgsqlDbType.Bytea });
            insert.Parameters.Add(new NpgsqlParameter { Value = sources, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                await transaction.CommitAsync(cancellationToken);
                return new CreatedApiKey(key, prefix);
            }
        }
    }

    public async Task<IReadOnlyList<ApiKeyListing>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT name, prefix, created_at, last_used_at, revoked_at, sources FROM api_keys ORDER BY name, created_at, prefix");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyListing>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new ApiKeyListing(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<string[]>(5)));
        }
        return keys;
    }

    public async Task<RevokeResult> RevokeAsync(string prefix, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            WITH revoked AS (UPDATE api_keys SET revoked_at = now() WHERE prefix = $1 AND revoked_at IS NULL RETURNING 1)
            SELECT (SELECT count(*) FROM revoked), (SELECT count(*) FROM api_keys WHERE prefix = $1)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = prefix });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt64(0) == 1 ? RevokeResult.Revoked : reader.GetInt64(1) == 1 ? RevokeResult.AlreadyRevoked : RevokeResult.NotFound;
    }

    /// <summary>The holder of an active key, or null for anything else. Database failures propagate.</summary>
    public async Task<ApiKeyHolder?> FindActiveAsync(string key, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.TryReadPrefix(key, out var prefix))
        {
            return null;
        }
        long id;
        string name;
        bool lastUsedIsStale;
        string[] sources;
        await using (var command = dataSource.CreateCommand($"""
            SELECT id, name, key_hash, last_used_at IS NULL OR last_used_at < now() - interval '{LastUsedResolution}', sources
            FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = prefix });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            if (!CryptographicOperations.FixedTimeEquals(ApiKeyFormat.Hash(key), reader.GetFieldValue<byte[]>(2)))
            {
                return null;
            }
            id = reader.GetInt64(0);
            name = reader.GetString(1);
            lastUsedIsStale = reader.GetBoolean(3);
            sources = reader.GetFieldValue<string[]>(4);
        }
        if (lastUsedIsStale)
        {
            // At most one write a minute per key, whichever replica sees it first.
            await using var touch = dataSource.CreateCommand(
                $"UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '{LastUsedResolution}')");
            touch.Parameters.Add(new NpgsqlParameter { Value = id });
            await touch.ExecuteNonQueryAsync(cancellationToken);
        }
        return new ApiKeyHolder(name, prefix, sources);
    }
}
