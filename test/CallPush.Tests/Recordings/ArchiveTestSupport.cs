using System.Security.Cryptography;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Recordings;

/// <summary>A recording source, a storage folder of its own, and the settings that point a service at them.</summary>
public abstract class ArchiveTest(PostgresFixture postgres) : IAsyncLifetime
{
    public const long SdkAppId = 1400482256;

    protected PostgresFixture Postgres { get; } = postgres;
    protected RecordingSource Source { get; private set; } = null!;
    protected string StoragePath { get; } = Path.Combine(Path.GetTempPath(), "callpush-archive-test-" + Guid.NewGuid().ToString("N"));
    protected string TempPath => StoragePath + "-downloads";

    public virtual async ValueTask InitializeAsync() => Source = await RecordingSource.StartAsync();

    public virtual async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        foreach (var folder in new[] { StoragePath, TempPath })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        GC.SuppressFinalize(this);
    }

    protected Dictionary<string, string?> Settings(params (string Key, string Value)[] changes)
    {
        var settings = new Dictionary<string, string?>
        {
            ["CallPush:Recordings:AllowPrivateAddresses"] = "true",
            ["CallPush:Recordings:AllowedHosts"] = "127.0.0.1,localhost",
            ["CallPush:Recordings:PollInterval"] = "00:00:00.100",
            ["CallPush:Recordings:RetryDelay"] = "00:00:00.200",
            ["CallPush:Recordings:Path"] = StoragePath,
            ["CallPush:Recordings:TempPath"] = TempPath,
        };
        foreach (var (key, value) in changes)
        {
            settings["CallPush:Recordings:" + key] = value;
        }
        return settings;
    }

    protected static string RecordPush(string sessionId, string? recordUrl, string? customRecordUrl = null, string recordId = "r1",
        string endpointUser = "zhangsan@tencent.com", long timestamp = 1677140090)
    {
        var custom = customRecordUrl is null ? string.Empty : $",\"CustomRecordURL\":\"{customRecordUrl}\"";
        var url = recordUrl is null ? string.Empty : $",\"RecordURL\":\"{recordUrl}\"";
        return $$"""{"SdkAppId":{{SdkAppId}},"SessionId":"{{sessionId}}","RecordId":"{{recordId}}","EndpointUser":"{{endpointUser}}","Timestamp":{{timestamp}}{{url}}{{custom}}}""";
    }

    protected static string VoicemailPush(string sessionId, string url) =>
        $$"""{"SdkAppId":{{SdkAppId}},"SessionId":"{{sessionId}}","RecordURL":"{{url}}","EndpointUser":13123456789,"Timestamp":1677140091}""";

    protected static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Waits until the query returns true.</summary>
    protected static async Task WaitUntilAsync(CallPushApp app, string sql, TimeSpan? timeout = null, params object[] parameters)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await app.ScalarAsync<bool>(sql, parameters))
        {
            if (DateTime.UtcNow > deadline)
            {
                var rows = await app.RowsAsync("SELECT id, kind, source_url, status, attempts, last_error FROM recording_files ORDER BY id");
                throw new TimeoutException($"'{sql}' did not become true; recording_files: " +
                    string.Join("; ", rows.Select(r => string.Join(", ", r.Select(c => $"{c.Key}={c.Value}")))));
            }
            await Task.Delay(50);
        }
    }

    protected static Task WaitUntilSettledAsync(CallPushApp app, TimeSpan? timeout = null) =>
        WaitUntilAsync(app, "SELECT count(*) > 0 AND bool_and(status <> 'pending') FROM recording_files", timeout);

    protected string StoredFile(string storageKey) => Path.Combine(StoragePath, storageKey);

    protected IEnumerable<string> FilesInStorage() =>
        Directory.Exists(StoragePath) ? Directory.EnumerateFiles(StoragePath, "*", SearchOption.AllDirectories) : [];
}
