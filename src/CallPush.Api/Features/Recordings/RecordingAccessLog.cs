using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Persistence;
using Npgsql;

namespace CallPush.Api.Features.Recordings;

/// <summary>
/// The access audit (table recording_access_log): one row per listing or content request, written once the response
/// is complete with its final status and the body bytes actually written. A failed insert is logged, never answered.
/// </summary>
internal sealed partial class RecordingAccessLog(NpgsqlDataSource dataSource, ILogger<RecordingAccessLog> logger)
{
    /// <summary>Starts counting the response body; the returned row is filled in by the endpoint and written at the end.</summary>
    public RecordingAccess Track(HttpContext context, string operation)
    {
        var access = new RecordingAccess
        {
            AccessedAt = DateTimeOffset.UtcNow,
            ApiKeyPrefix = context.User.FindFirst(ApiKeyAuthenticationHandler.PrefixClaim)?.Value ?? string.Empty,
            Operation = operation,
            Range = context.Request.Headers.Range.ToString() is { Length: > 0 } range ? range : null,
            ClientAddress = context.Connection.RemoteIpAddress?.ToString(),
        };
        var body = new CountingStream(context.Response.Body);
        context.Response.Body = body;
        context.Response.OnCompleted(() =>
        {
            access.StatusCode = context.Response.StatusCode;
            access.BytesSent = body.BytesWritten;
            return WriteAsync(access);
        });
        return access;
    }

    private async Task WriteAsync(RecordingAccess access)
    {
        try
        {
            await using var command = dataSource.CreateCommand("""
                INSERT INTO recording_access_log
                    (accessed_at, api_key_prefix, operation, recording_file_id, sdk_app_id, session_id, range, bytes_sent, status_code, client_address)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = access.AccessedAt });
            command.Parameters.Add(new NpgsqlParameter { Value = access.ApiKeyPrefix });
            command.Parameters.Add(new NpgsqlParameter { Value = access.Operation });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)access.RecordingFileId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)access.SdkAppId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)access.SessionId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)access.Range ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = access.BytesSent });
            command.Parameters.Add(new NpgsqlParameter { Value = access.StatusCode });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)access.ClientAddress ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            LogAuditFailed(logger, e, access.Operation, access.RecordingFileId, access.ApiKeyPrefix);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the access audit of a {Operation} request (recording {RecordingFileId}, key {ApiKeyPrefix})")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception, string operation, long? recordingFileId, string apiKeyPrefix);

    /// <summary>The response body, counting what is written to it.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        private long _written;

        public long BytesWritten => Interlocked.Read(ref _written);

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Interlocked.Add(ref _written, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            Interlocked.Add(ref _written, buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            Interlocked.Add(ref _written, buffer.Length);
        }

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
