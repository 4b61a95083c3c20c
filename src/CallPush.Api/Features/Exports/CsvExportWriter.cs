using System.Data.Common;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using CsvHelper;

namespace CallPush.Api.Features.Exports;

internal sealed record WrittenFile(long Rows, long Bytes, string Sha256);

/// <summary>
/// Writes rows from a data reader as RFC 4180 CSV (UTF-8, header row, CRLF, fields quoted when they need it), one row at
/// a time: timestamps as ISO 8601 UTC, NULL as an empty field, optionally gzip-compressed and with a UTF-8 BOM.
/// </summary>
internal static class CsvExportWriter
{
    private static readonly CsvWriterOptions Rfc4180 = CsvWriterOptions.Default with
    {
        NewLine = "\r\n",
        Separator = ',',
        Quoting = CsvQuoting.WhenNeeded,
        FormatProvider = CultureInfo.InvariantCulture,
    };

    public static async Task<WrittenFile> WriteAsync(DbDataReader reader, string file, bool gzip, bool bom,
        Action<long>? rowsWritten, CancellationToken cancellationToken)
    {
        long rows = 0;
        await using (var output = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            await using Stream body = gzip ? new GZipStream(output, CompressionLevel.Fastest) : output;
            await using var csv = CsvWriter.Create(body, Rfc4180 with { WriteByteOrderMark = bom }, leaveOpen: true);
            var types = new Type[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                csv.WriteField(reader.GetName(i));
                types[i] = reader.GetFieldType(i);
            }
            await csv.EndRecordAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                for (var i = 0; i < types.Length; i++)
                {
                    csv.WriteField(reader.IsDBNull(i) ? string.Empty : Format(reader, i, types[i]));
                }
                await csv.EndRecordAsync(cancellationToken);
                if (++rows % 10_000 == 0)
                {
                    rowsWritten?.Invoke(rows);
                }
            }
            await csv.FlushAsync(cancellationToken);
        }
        rowsWritten?.Invoke(rows);
        return new WrittenFile(rows, new FileInfo(file).Length, await Sha256Async(file, cancellationToken));
    }

    public static async Task<string> Sha256Async(string file, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(input, cancellationToken));
    }

    /// <summary>ISO 8601 in UTC with as many fraction digits as the value has: <c>2026-03-08T06:59:59Z</c>.</summary>
    public static string Timestamp(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string Format(DbDataReader reader, int i, Type type)
    {
        if (type == typeof(string))
        {
            return reader.GetString(i);
        }
        if (type == typeof(DateTime))
        {
            return Timestamp(reader.GetDateTime(i).ToUniversalTime());
        }
        if (type == typeof(long))
        {
            return reader.GetInt64(i).ToString(CultureInfo.InvariantCulture);
        }
        if (type == typeof(int))
        {
            return reader.GetInt32(i).ToString(CultureInfo.InvariantCulture);
        }
        if (type == typeof(short))
        {
            return reader.GetInt16(i).ToString(CultureInfo.InvariantCulture);
        }
        if (type == typeof(bool))
        {
            return reader.GetBoolean(i) ? "true" : "false";
        }
        if (type == typeof(double))
        {
            return reader.GetDouble(i).ToString("R", CultureInfo.InvariantCulture);
        }
        return Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? string.Empty;
    }
}
