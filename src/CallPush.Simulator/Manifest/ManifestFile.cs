using System.Text.Json;
using System.Text.Json.Serialization;

namespace CallPush.Simulator.Manifest;

/// <summary>One push of a session: acknowledged means some delivery of it was answered ErrCode 0.</summary>
internal sealed record ManifestPush(string Action, string Uuid, bool Acknowledged, int Deliveries, int Attempts);

/// <summary>What a session should have left in the database: written by <c>load</c>, checked by <c>verify</c>.</summary>
internal sealed record ManifestSession(
    long SdkAppId,
    string SessionId,
    int Direction,
    bool Answered,
    string EndStatus,
    int Participants,
    int Recordings,
    int Voicemails,
    IReadOnlyList<ManifestPush> Pushes);

[JsonSerializable(typeof(ManifestSession))]
internal sealed partial class ManifestJson : JsonSerializerContext;

/// <summary>JSON Lines, one session a line, appended as sessions finish: an interrupted run still leaves a usable file.</summary>
internal sealed class ManifestWriter : IAsyncDisposable
{
    private readonly StreamWriter _writer;
    private readonly Lock _lock = new();

    public ManifestWriter(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _writer = new StreamWriter(Path, append: false);
    }

    public string Path { get; }

    public void Write(ManifestSession session) => WriteLine(JsonSerializer.Serialize(session, ManifestJson.Default.ManifestSession));

    public void WriteLine(string line)
    {
        lock (_lock)
        {
            _writer.WriteLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.FlushAsync();
        await _writer.DisposeAsync();
    }
}

internal static class ManifestReader
{
    public static async Task<List<ManifestSession>> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var sessions = new List<ManifestSession>();
        var number = 0;
        await foreach (var line in File.ReadLinesAsync(path, cancellationToken))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            try
            {
                sessions.Add(JsonSerializer.Deserialize(line, ManifestJson.Default.ManifestSession)
                    ?? throw new InvalidDataException($"{path}:{number} is not a session"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{number} is not a manifest line ({e.Message})", e);
            }
        }
        return sessions;
    }
}
