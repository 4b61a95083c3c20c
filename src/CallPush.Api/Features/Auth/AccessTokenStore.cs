using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using NpgsqlTypes;

namespace CallPush.Api.Features.Auth;

/// <summary>
/// Opaque access tokens in PostgreSQL, so that every replica accepts a token any replica issued and a restart does
/// not log the sender out. Only SHA-256 of a token is stored: a token is 256 random bits, so a fast hash is as good
/// as a slow one, and a row lookup by that hash reveals nothing about tokens through timing.
/// </summary>
internal sealed class AccessTokenStore(NpgsqlDataSource dataSource, TimeProvider time) : IDisposable
{
    private const int TokenBytes = 32;
    private static readonly TimeSpan CacheDuration = TimeSpan.FromMinutes(5);

    // Valid tokens only, each until it expires (at most CacheDuration), so a push costs no database round trip.
    private readonly MemoryCache _valid = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    /// <summary>A new token for the client; <paramref name="source"/> binds it to the source the client belongs to (null: the global client).</summary>
    public async Task<IssuedToken> IssueAsync(string clientId, string? source, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var random = RandomNumberGenerator.GetBytes(TokenBytes);
        var value = Base64Url.EncodeToString(random);
        var now = time.GetUtcNow();
        var expiresAt = now + lifetime;
        await using var command = dataSource.CreateCommand(
            "INSERT INTO oauth_access_tokens (token_hash, client_id, issued_at, expires_at, source_name) VALUES ($1, $2, $3, $4, $5)");
        command.Parameters.Add(new NpgsqlParameter { Value = Hash(value), NpgsqlDbType = NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter { Value = clientId });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = expiresAt });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)source ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new IssuedToken(value, expiresAt);
    }

    /// <summary>The client (and its source) a token was issued to, while it has not expired; null otherwise. Database failures propagate.</summary>
    public async Task<PushIdentity?> OwnerOfAsync(string token, CancellationToken cancellationToken)
    {
        var hash = Hash(token);
        var key = Convert.ToBase64String(hash);
        var now = time.GetUtcNow();
        if (_valid.TryGetValue(key, out ValidToken? cached))
        {
            return cached!.ExpiresAt > now ? cached.Owner : null;
        }

        await using var command = dataSource.CreateCommand("SELECT client_id, expires_at, source_name FROM oauth_access_tokens WHERE token_hash = $1 AND expires_at > $2");
        command.Parameters.Add(new NpgsqlParameter { Value = hash, NpgsqlDbType = NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var owner = new PushIdentity(reader.GetString(0), reader.IsDBNull(2) ? null : reader.GetString(2));
        var expiresAt = reader.GetFieldValue<DateTimeOffset>(1);
        var cacheFor = expiresAt - now < CacheDuration ? expiresAt - now : CacheDuration;
        if (cacheFor > TimeSpan.Zero)
        {
            _valid.Set(key, new ValidToken(owner, expiresAt), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = cacheFor });
        }
        return owner;
    }

    /// <summary>Deletes expired tokens in small batches; replicas purging at once skip each other's rows.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand("""
                DELETE FROM oauth_access_tokens
                WHERE token_hash IN (SELECT token_hash FROM oauth_access_tokens WHERE expires_at <= $1 LIMIT 1000 FOR UPDATE SKIP LOCKED)
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
            var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
            if (deleted < 1000)
            {
                return total;
            }
        }
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));

    public void Dispose() => _valid.Dispose();

    private sealed record ValidToken(PushIdentity Owner, DateTimeOffset ExpiresAt);
}
