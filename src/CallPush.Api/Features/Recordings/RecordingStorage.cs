namespace CallPush.Api.Features.Recordings;

/// <summary>A stored recording opened for reading.</summary>
public sealed record StoredRecording(Stream Content, long Length, DateTimeOffset LastModified) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

/// <summary>
/// Where archived recordings live. Keys are <c>{SdkAppId}/{yyyy}/{MM}/{dd}/{SessionId}/{file name}</c>; an object
/// becomes visible whole or not at all, and writing the same key twice is harmless.
/// </summary>
public interface IRecordingStorage
{
    /// <summary>Stores a complete local file under the key, with its content type and SHA-256 (lower-case hex).</summary>
    Task SaveAsync(string key, string localFile, string contentType, string sha256, CancellationToken cancellationToken);

    /// <summary>The stored object, or null when there is none under the key.</summary>
    Task<StoredRecording?> OpenAsync(string key, CancellationToken cancellationToken);

    /// <summary>A time-limited URL the client may fetch directly, or null when the storage has none (the file store).</summary>
    Uri? PresignedUrl(string key, TimeSpan lifetime, string fileName, bool attachment);
}
