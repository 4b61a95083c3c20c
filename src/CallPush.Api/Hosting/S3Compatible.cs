using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace CallPush.Api.Hosting;

/// <summary>Where an S3-compatible store is and how to sign for it (AWS, MinIO, Tencent COS).</summary>
public sealed record S3Endpoint(string? Region, Uri? ServiceUrl, bool ForcePathStyle, string? AccessKey, string? SecretKey);

/// <summary>
/// The S3 client settings every CallPush store uses. Checksums are computed only when an operation requires them and
/// puts are not chunk-encoded: with the SDK's newer defaults some compatible stores (Tencent COS, s3rver) keep the
/// aws-chunked framing inside the object.
/// </summary>
public static class S3Compatible
{
    public static AmazonS3Client CreateClient(S3Endpoint endpoint)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = endpoint.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (endpoint.ServiceUrl is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl.ToString();
            if (!string.IsNullOrWhiteSpace(endpoint.Region))
            {
                config.AuthenticationRegion = endpoint.Region;
            }
        }
        else if (!string.IsNullOrWhiteSpace(endpoint.Region))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(endpoint.Region);
        }
        return string.IsNullOrEmpty(endpoint.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(endpoint.AccessKey, endpoint.SecretKey), config);
    }

    /// <summary>A put of a local file that stores exactly its bytes.</summary>
    public static PutObjectRequest FilePut(string bucket, string key, string localFile, string contentType) => new()
    {
        BucketName = bucket,
        Key = key,
        FilePath = localFile,
        ContentType = contentType,
        UseChunkEncoding = false,
    };

    public static Protocol ProtocolOf(Uri? serviceUrl) => serviceUrl?.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS;
}
