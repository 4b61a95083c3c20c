using System.Net.Http.Headers;
using System.Security.Cryptography;
using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Features.Recordings;
using CallPush.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CallPush.Tests.Recordings;

/// <summary>Analyst keys and archived recordings made directly, as the key command and the archive would make them.</summary>
internal static class RecordingTestSupport
{
    public const long SdkAppId = 1400482256;

    public static Dictionary<string, string?> Settings(string recordingsPath, Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?> { ["CallPush:Recordings:Path"] = recordingsPath };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        return settings;
    }

    public static string TemporaryFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "callpush-recordings-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }

    public static async Task<string> CreateKeyAsync(this CallPushApp app, string name = "analytics")
    {
        var created = await app.Services.GetRequiredService<ApiKeyStore>().CreateAsync(name, CancellationToken.None);
        return created.Key;
    }

    public static HttpClient AnalystClient(this CallPushApp app, string key)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Random bytes that start like an MP3 file (an ID3 header), so a mix-up of ranges shows in the bytes.</summary>
    public static byte[] Mp3Bytes(int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);
        "ID3"u8.CopyTo(bytes);
        return bytes;
    }

    /// <summary>An archived recording: the file put into the app's storage and its recording_files row.</summary>
    public static async Task<long> ArchiveAsync(this CallPushApp app, byte[] content, string sessionId, string fileName = "record.mp3",
        string? contentType = "audio/mpeg", string recordId = "r-1", string endpointUser = "agent@example.com")
    {
        var storageKey = $"{SdkAppId}/2026/12/01/{sessionId}/{fileName}";
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        var local = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(local, content);
            await app.Services.GetRequiredService<IRecordingStorage>().SaveAsync(storageKey, local, contentType ?? "audio/mpeg", sha256, CancellationToken.None);
        }
        finally
        {
            File.Delete(local);
        }
        return await app.InsertRecordingFileAsync(sessionId, "archived", recordId, endpointUser, storageKey, sha256, content.Length, contentType, lastError: null);
    }

    public static Task<long> InsertRecordingFileAsync(this CallPushApp app, string sessionId, string status, string recordId, string endpointUser,
        string? storageKey, string? sha256, long? size, string? contentType, string? lastError) =>
        app.ScalarAsync<long>("""
            INSERT INTO recording_files (sdk_app_id, session_id, kind, recording_key, record_id, endpoint_user, source_url, status, attempts,
                next_attempt_at, enqueued_at, last_error, size_bytes, sha256, content_type, duration_seconds, storage_key, archived_at)
            VALUES ($1, $2, 'record', $3 || '/' || $4, $3, $4, 'https://example.myqcloud.com/' || $3 || '.mp3', $5, 1,
                now(), now(), $6, $7, $8, $9, CASE WHEN $5 = 'archived' THEN 12.5 END, $10, CASE WHEN $5 = 'archived' THEN timestamptz '2026-12-01 10:00:00+00' END)
            RETURNING id
            """, SdkAppId, sessionId, recordId, endpointUser, status, (object?)lastError ?? DBNull.Value, (object?)size ?? DBNull.Value,
            (object?)sha256 ?? DBNull.Value, (object?)contentType ?? DBNull.Value, (object?)storageKey ?? DBNull.Value);

    /// <summary>The audit rows, oldest first, once there are at least <paramref name="count"/> (they are written after each response).</summary>
    public static async Task<List<Dictionary<string, object?>>> AuditRowsAsync(this CallPushApp app, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var rows = await app.RowsAsync("SELECT * FROM recording_access_log ORDER BY id");
            if (rows.Count >= count || DateTime.UtcNow > deadline)
            {
                return rows;
            }
            await Task.Delay(20);
        }
    }
}
