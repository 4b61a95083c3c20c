using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using CallPush.Api.Hosting;

namespace CallPush.Api.Features.Exports;

/// <summary>What a connection test or a delivery found wrong: the stage (dns, connection, auth, bucket, permission, path, other) and why.</summary>
internal sealed record DestinationProblem(string Stage, string Message);

/// <summary>Where a run delivers its files. A delivered file replaces any earlier one whole: a reader never sees half a file.</summary>
internal interface IExportDestination : IDisposable
{
    /// <summary>Puts a complete local file at the relative path (forward slashes).</summary>
    Task PutAsync(string relativePath, string localFile, string contentType, CancellationToken cancellationToken);

    /// <summary>Writes and deletes a probe object; null when both worked.</summary>
    Task<DestinationProblem?> TestAsync(CancellationToken cancellationToken);
}

/// <summary>A folder under the export root. Files are copied under a temporary name in the same folder, then renamed.</summary>
internal sealed class FolderDestination(FolderRoot root, string path) : IExportDestination
{
    public async Task PutAsync(string relativePath, string localFile, string contentType, CancellationToken cancellationToken)
    {
        var folder = Folder();
        var target = Path.GetFullPath(Path.Combine(folder, relativePath));
        if (!target.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new DestinationException(new DestinationProblem("path", $"'{relativePath}' is outside the connector's folder"));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var input = new FileStream(localFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan))
            await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await input.CopyToAsync(output, cancellationToken);
                await output.FlushAsync(cancellationToken);
                output.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    public async Task<DestinationProblem?> TestAsync(CancellationToken cancellationToken)
    {
        try
        {
            var folder = Folder();
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".callpush-probe-{Guid.NewGuid():N}");
            await File.WriteAllTextAsync(probe, "probe", cancellationToken);
            File.Delete(probe);
            return null;
        }
        catch (DestinationException e)
        {
            return e.Problem;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DestinationProblem(e is UnauthorizedAccessException ? "permission" : "other", e.Message);
        }
    }

    private string Folder()
    {
        var (folder, problem) = root.Resolve(path);
        return folder ?? throw new DestinationException(new DestinationProblem("path", problem!));
    }

    public void Dispose()
    {
    }
}

/// <summary>A bucket of an S3-compatible store, through the client settings the recording archive uses too.</summary>
internal sealed class S3Destination(string bucket, string? prefix, S3Endpoint endpoint) : IExportDestination
{
    private readonly AmazonS3Client _client = S3Compatible.CreateClient(endpoint);

    public Task PutAsync(string relativePath, string localFile, string contentType, CancellationToken cancellationToken) =>
        _client.PutObjectAsync(S3Compatible.FilePut(bucket, (prefix ?? string.Empty) + relativePath, localFile, contentType), cancellationToken);

    public async Task<DestinationProblem?> TestAsync(CancellationToken cancellationToken)
    {
        var key = (prefix ?? string.Empty) + $".callpush-probe-{Guid.NewGuid():N}";
        var probe = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(probe, "probe", cancellationToken);
            await _client.PutObjectAsync(S3Compatible.FilePut(bucket, key, probe, "text/plain"), cancellationToken);
            await _client.DeleteObjectAsync(bucket, key, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or SocketException or IOException)
        {
            return Explain(e);
        }
        finally
        {
            File.Delete(probe);
        }
    }

    /// <summary>Names the stage a failed S3 call stopped at.</summary>
    public static DestinationProblem Explain(Exception e)
    {
        if (e is AmazonServiceException service && !string.IsNullOrEmpty(service.ErrorCode))
        {
            var stage = service.ErrorCode switch
            {
                "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "InvalidToken" or "ExpiredToken" or "AuthorizationHeaderMalformed" => "auth",
                "NoSuchBucket" or "InvalidBucketName" or "PermanentRedirect" => "bucket",
                "AccessDenied" or "AllAccessDisabled" => "permission",
                _ => service.StatusCode == HttpStatusCode.Forbidden ? "permission" : "other",
            };
            return new DestinationProblem(stage, $"{service.ErrorCode}: {service.Message}");
        }
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain
                    ? new DestinationProblem("dns", socket.Message)
                    : new DestinationProblem("connection", socket.Message);
            }
        }
        return new DestinationProblem("other", e.Message);
    }

    public void Dispose() => _client.Dispose();
}

internal sealed class DestinationException(DestinationProblem problem) : Exception($"{problem.Stage}: {problem.Message}")
{
    public DestinationProblem Problem { get; } = problem;
}
