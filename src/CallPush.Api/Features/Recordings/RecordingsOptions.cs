using System.ComponentModel.DataAnnotations;

namespace CallPush.Api.Features.Recordings;

public enum RecordingStorageKind
{
    FileSystem,
    S3,
}

/// <summary><c>CallPush__Recordings__*</c>: where archived recordings are kept, and how the archive fetches them.</summary>
public sealed class RecordingsOptions
{
    public const string Section = "CallPush:Recordings";

    /// <summary>FileSystem (under <see cref="Path"/>) or S3 (any S3-compatible service: AWS, MinIO, Tencent COS).</summary>
    public RecordingStorageKind Storage { get; set; } = RecordingStorageKind.FileSystem;

    /// <summary>The file store's folder; relative paths are under the working directory.</summary>
    public string Path { get; set; } = System.IO.Path.Combine(".callpush", "recordings");

    public S3StorageOptions S3 { get; set; } = new();

    /// <summary>Comma-separated host names the archive may fetch from; <c>*.</c> matches any subdomain.</summary>
    public string AllowedHosts { get; set; } = "*.myqcloud.com,*.tencentcos.cn,*.tencentcos.com,*.qcloud.com";

    /// <summary>Allow hosts that resolve to loopback, private, link-local or unspecified addresses (tests, private stores).</summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>Files fetched at once by one replica.</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 4;

    /// <summary>How long a 403 or 404 is retried: the platform's file may appear after its push.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan NotFoundRetryWindow { get; set; } = TimeSpan.FromHours(2);

    /// <summary>After this long since it was enqueued, a file that still cannot be fetched is marked failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "90.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(3);

    /// <summary>A fetch that takes longer than this is abandoned and retried.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "06:00:00")]
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The first retry's delay; each further attempt waits twice as long (with jitter), at most an hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where downloads are written before they are stored; the system's temporary folder when not set.</summary>
    public string? TempPath { get; set; }

    /// <summary>How often an idle worker looks for due files.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Serve S3-stored files with a 302 to a presigned URL instead of streaming them through the service.</summary>
    public bool RedirectToPresignedUrl { get; set; }

    /// <summary>Lifetime of those presigned URLs.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan PresignedUrlLifetime { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class S3StorageOptions
{
    public string? Bucket { get; set; }

    /// <summary>Prepended to every key, e.g. <c>callpush/</c>.</summary>
    public string? Prefix { get; set; }

    public string? Region { get; set; }

    /// <summary>The service URL of an S3-compatible store (MinIO, Tencent COS: https://cos.ap-guangzhou.myqcloud.com).</summary>
    public Uri? ServiceUrl { get; set; }

    public bool ForcePathStyle { get; set; }
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
}
