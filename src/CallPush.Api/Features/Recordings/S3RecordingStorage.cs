using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using CallPush.Api.Hosting;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Recordings;

/// <summary>Recordings as objects of an S3-compatible store (AWS, MinIO, Tencent COS), with the settings of <see cref="S3Compatible"/>.</summary>
internal sealed class S3RecordingStorage : IRecordingStorage, IDisposable
{
    public const string Sha256Metadata = "sha256";

    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly Protocol _protocol;

    public S3RecordingStorage(IOptions<RecordingsOptions> options)
    {
        var s3 = options.Value.S3;
        _bucket = s3.Bucket ?? throw new InvalidOperationException("CallPush__Recordings__S3__Bucket is not set");
        _prefix = s3.Prefix ?? string.Empty;
        _protocol = S3Compatible.ProtocolOf(s3.ServiceUrl);
        _client = S3Compatible.CreateClient(new S3Endpoint(s3.Region, s3.ServiceUrl, s3.ForcePathStyle, s3.AccessKey, s3.SecretKey));
    }

    public async Task SaveAsync(string key, string localFile, string contentType, string sha256, CancellationToken cancellationToken)
    {
        var request = S3Compatible.FilePut(_bucket, _prefix + key, localFile, contentType);
        request.Metadata[Sha256Metadata] = sha256;
        await _client.PutObjectAsync(request, cancellationToken);
    }

    public async Task<StoredRecording?> OpenAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var metadata = await _client.GetObjectMetadataAsync(_bucket, _prefix + key, cancellationToken);
            var lastModified = metadata.LastModified is { } modified
                ? new DateTimeOffset(DateTime.SpecifyKind(modified, DateTimeKind.Utc))
                : DateTimeOffset.UtcNow;
            return new StoredRecording(new S3ObjectStream(_client, _bucket, _prefix + key, metadata.ContentLength), metadata.ContentLength, lastModified);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Uri? PresignedUrl(string key, TimeSpan lifetime, string fileName, bool attachment)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _bucket,
            Key = _prefix + key,
            Verb = HttpVerb.GET,
            Protocol = _protocol,
            Expires = DateTime.UtcNow + lifetime,
        };
        request.ResponseHeaderOverrides.ContentDisposition = $"{(attachment ? "attachment" : "inline")}; filename=\"{fileName}\"";
        return new Uri(_client.GetPreSignedURL(request));
    }

    public void Dispose() => _client.Dispose();
}
