using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Recordings;

/// <summary>
/// Recordings as objects of an S3-compatible store (AWS, MinIO, Tencent COS). Checksums are computed only when an
/// operation requires them and the put is not chunk-encoded: with the SDK's newer defaults some compatible stores
/// (Tencent COS among them) keep the aws-chunked framing inside the object.
/// </summary>
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
        _protocol = s3.ServiceUrl?.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS;
        var config = new AmazonS3Config
        {
            ForcePathStyle = s3.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (s3.ServiceUrl is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl.ToString();
            if (!string.IsNullOrWhiteSpace(s3.Region))
            {
                config.AuthenticationRegion = s3.Region;
            }
        }
        else if (!string.IsNullOrWhiteSpace(s3.Region))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(s3.Region);
        }
        _client = string.IsNullOrEmpty(s3.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(s3.AccessKey, s3.SecretKey), config);
    }

    public async Task SaveAsync(string key, string localFile, string contentType, string sha256, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = _prefix + key,
            FilePath = localFile,
            ContentType = contentType,
            UseChunkEncoding = false,
        };
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
