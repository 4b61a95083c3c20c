using System.Data;
using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace CallPush.Api.Features.StatisticsChannel;

/// <summary>What happened to one statement, for the log line and the answer's status.</summary>
internal sealed record StatementOutcome(int StatusCode, string? Error, long Rows, bool Truncated);

/// <summary>
/// Runs one analyst statement and writes its answer. The statement goes to PostgreSQL as the single command of an
/// extended-protocol Parse (which refuses a second command), inside a READ ONLY transaction with a statement timeout that
/// is always rolled back, on a connection of the channel's reader role.
///
/// PostgreSQL does the type mapping: each row comes back as <c>row_to_json</c> of the statement's row (column names as
/// keys in column order, numbers as numbers, timestamps as ISO 8601, json embedded, arrays as arrays) and its bytes are
/// copied to the response as they are. The rows are counted in the database (at most MaxRows + 1), so the answer's headers
/// say whether it was cut before the body starts, and the first row is read before anything is written: every failure
/// PostgreSQL reports while planning or computing the result is still a clean <c>success:false</c> answer.
/// </summary>
internal static class StatisticsStatement
{
    public const string TruncatedHeader = "X-Stats-Truncated";
    public const string MaxRowsHeader = "X-Stats-Max-Rows";

    private const string RowAlias = "callpush_stats_row";
    private static readonly byte[] DataStart = """{"success":true,"error":null,"data":["""u8.ToArray();
    private static readonly byte[] DataEnd = "]}"u8.ToArray();
    private static readonly byte[] Comma = ","u8.ToArray();

    public static async Task<StatementOutcome> RunAsync(NpgsqlDataSource dataSource, StatisticsRequest request, StatisticsChannelOptions options,
        HttpContext context, CancellationToken cancellationToken)
    {
        var (prefix, sql) = Wrap(request, options.MaxRows);
        NpgsqlConnection? connection = null;
        try
        {
            connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var setup = new NpgsqlBatch(connection, transaction))
            {
                setup.BatchCommands.Add(new NpgsqlBatchCommand("SET TRANSACTION READ ONLY"));
                setup.BatchCommands.Add(new NpgsqlBatchCommand(
                    $"SET LOCAL statement_timeout = {((long)options.StatementTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}"));
                setup.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL TimeZone = 'UTC'"));
                await setup.ExecuteNonQueryAsync(cancellationToken);
            }
            // A batch command is sent as written (no splitting at semicolons), and a Parse holds one command only.
            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                // Only a backstop should the server's own timeout not fire.
                Timeout = (int)Math.Ceiling(options.StatementTimeout.TotalSeconds) + 5,
            };
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
            StatementOutcome outcome;
            await using (var reader = await batch.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken))
            {
                var hasRow = await reader.ReadAsync(cancellationToken);
                if (request.Action == StatisticsAction.Quantity)
                {
                    outcome = await WriteQuantityAsync(reader, hasRow, context.Response, cancellationToken);
                }
                else
                {
                    outcome = await WriteRowsAsync(reader, hasRow, options.MaxRows, context.Response, cancellationToken);
                }
            }
            await transaction.RollbackAsync(CancellationToken.None);
            return outcome;
        }
        catch (Exception e) when (!context.Response.HasStarted && Failure(e, prefix, request.Statement, options) is { } failure)
        {
            await StatisticsAnswer.Failure(failure.Error!).WriteAsync(context.Response, failure.StatusCode, CancellationToken.None);
            return failure;
        }
        catch (Exception e) when (context.Response.HasStarted && Failure(e, prefix, request.Statement, options) is { } failure)
        {
            // success:true is on its way: ending the JSON now would pass partial data off as complete. The broken
            // response tells the client it failed; the log says why.
            context.Abort();
            return failure with { StatusCode = 0, Error = "interrupted after the answer began: " + failure.Error };
        }
        finally
        {
            if (connection is not null)
            {
                await ReleaseAsync(connection);
            }
        }
    }

    /// <summary>
    /// Returns the connection to the pool without what a statement can leave in a session beyond its rolled-back transaction:
    /// session advisory locks (the pool's own reset is deferred until the connection is used again).
    /// </summary>
    private static async Task ReleaseAsync(NpgsqlConnection connection)
    {
        try
        {
            if (connection.FullState == ConnectionState.Open)
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // A broken connection is not returned to the pool, and its session ends with it.
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>The SQL sent for the request, and the length of what precedes the analyst's text (to correct error positions).</summary>
    private static (int Prefix, string Sql) Wrap(StatisticsRequest request, int maxRows)
    {
        // The line breaks keep a trailing -- comment of the analyst's from swallowing the closing parenthesis.
        var statement = request.Statement.TrimEnd().TrimEnd(';');
        var prefix = request.Action == StatisticsAction.Quantity
            ? $"SELECT row_to_json({RowAlias}.*)::text FROM (\n"
            : $"SELECT count(*) OVER (), r FROM (SELECT row_to_json({RowAlias}.*) AS r FROM (\n";
        var suffix = request.Action == StatisticsAction.Quantity
            ? $"\n) AS {RowAlias} LIMIT 2"
            : $"\n) AS {RowAlias} LIMIT {(maxRows + 1L).ToString(CultureInfo.InvariantCulture)}) AS {RowAlias}s";
        return (prefix.Length, prefix + statement + suffix);
    }

    private static async Task<StatementOutcome> WriteRowsAsync(NpgsqlDataReader reader, bool hasRow, int maxRows, HttpResponse response,
        CancellationToken cancellationToken)
    {
        var total = hasRow ? reader.GetInt64(0) : 0;
        var truncated = total > maxRows;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers[TruncatedHeader] = truncated ? "true" : "false";
        response.Headers[MaxRowsHeader] = maxRows.ToString(CultureInfo.InvariantCulture);
        var body = response.Body;
        await body.WriteAsync(DataStart, cancellationToken);
        long rows = 0;
        while (hasRow && rows < maxRows)
        {
            if (rows > 0)
            {
                await body.WriteAsync(Comma, cancellationToken);
            }
            await using (var json = await reader.GetStreamAsync(1, cancellationToken))
            {
                await json.CopyToAsync(body, cancellationToken);
            }
            rows++;
            hasRow = await reader.ReadAsync(cancellationToken);
        }
        await body.WriteAsync(DataEnd, cancellationToken);
        return new StatementOutcome(StatusCodes.Status200OK, null, rows, truncated);
    }

    private static async Task<StatementOutcome> WriteQuantityAsync(NpgsqlDataReader reader, bool hasRow, HttpResponse response,
        CancellationToken cancellationToken)
    {
        if (!hasRow)
        {
            return await RefuseQuantityAsync(response, "quantity needs a statement answering exactly one row (e.g. select count(*) ...); it answered none",
                cancellationToken);
        }
        var row = reader.GetString(0);
        if (await reader.ReadAsync(cancellationToken))
        {
            return await RefuseQuantityAsync(response, "quantity needs a statement answering exactly one row (e.g. select count(*) ...); it answered more",
                cancellationToken);
        }
        using var document = JsonDocument.Parse(row);
        var columns = document.RootElement.EnumerateObject().ToList();
        if (columns.Count != 1)
        {
            return await RefuseQuantityAsync(response,
                $"quantity needs a statement answering one column (e.g. select count(*) ...); it answered {columns.Count}", cancellationToken);
        }
        if (columns[0].Value.ValueKind != JsonValueKind.Number)
        {
            return await RefuseQuantityAsync(response,
                $"quantity needs a number; column '{columns[0].Name}' is {columns[0].Value.ValueKind.ToString().ToLowerInvariant()}", cancellationToken);
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        var body = response.Body;
        await body.WriteAsync("""{"success":true,"error":null,"data":"""u8.ToArray(), cancellationToken);
        await body.WriteAsync(System.Text.Encoding.UTF8.GetBytes(columns[0].Value.GetRawText()), cancellationToken);
        await body.WriteAsync("}"u8.ToArray(), cancellationToken);
        return new StatementOutcome(StatusCodes.Status200OK, null, 1, false);
    }

    private static async Task<StatementOutcome> RefuseQuantityAsync(HttpResponse response, string error, CancellationToken cancellationToken)
    {
        await StatisticsAnswer.Failure(error).WriteAsync(response, StatusCodes.Status400BadRequest, cancellationToken);
        return new StatementOutcome(StatusCodes.Status400BadRequest, error, 0, false);
    }

    /// <summary>The answer to a failure of the statement; null for what is not the statement's doing (an unexpected error).</summary>
    private static StatementOutcome? Failure(Exception exception, int prefix, string statement, StatisticsChannelOptions options)
    {
        (int, string)? answer = exception switch
        {
            PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } => (StatusCodes.Status504GatewayTimeout,
                $"the statement ran longer than {options.StatementTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s and was cancelled"),
            PostgresException { SqlState: PostgresErrorCodes.SyntaxError } e when e.MessageText.Contains("multiple commands", StringComparison.Ordinal) =>
                (StatusCodes.Status400BadRequest, "options.psql must be exactly one statement: " + Described(e, prefix)),
            PostgresException { SqlState: PostgresErrorCodes.SyntaxError } e when AtSemicolon(e, prefix, statement) =>
                (StatusCodes.Status400BadRequest, "options.psql must be exactly one statement: " + Described(e, prefix)),
            PostgresException { SqlState: PostgresErrorCodes.FeatureNotSupported } e when e.MessageText.Contains("data-modifying", StringComparison.Ordinal) =>
                (StatusCodes.Status400BadRequest, "the statistics channel only reads; the statement tries to change something: " + Described(e, prefix)),
            PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction } e => (StatusCodes.Status400BadRequest,
                "the statistics channel only reads; the statement tries to change something: " + Described(e, prefix)),
            PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } e => (StatusCodes.Status403Forbidden, Described(e, prefix)),
            PostgresException e when e.SqlState.StartsWith("08", StringComparison.Ordinal) || e.SqlState.StartsWith("53", StringComparison.Ordinal)
                || e.SqlState.StartsWith("57", StringComparison.Ordinal) || e.SqlState.StartsWith("28", StringComparison.Ordinal) =>
                (StatusCodes.Status503ServiceUnavailable, "the statistics database is unavailable: " + e.MessageText),
            PostgresException e when e.SqlState.StartsWith("XX", StringComparison.Ordinal) => null,
            PostgresException e => (StatusCodes.Status400BadRequest, Described(e, prefix)),
            NpgsqlException { InnerException: TimeoutException } => (StatusCodes.Status504GatewayTimeout,
                $"the statement ran longer than {options.StatementTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s and was cancelled"),
            NpgsqlException => (StatusCodes.Status503ServiceUnavailable, "the statistics database is unavailable"),
            _ => null,
        };
        return answer is var (status, error) ? new StatementOutcome(status, error, 0, false) : null;
    }

    /// <summary>A syntax error at a semicolon of the analyst's text: a second statement (the wrapping makes it a syntax error).</summary>
    private static bool AtSemicolon(PostgresException e, int prefix, string statement) =>
        e.Position > prefix && e.Position - prefix <= statement.Length && statement[e.Position - prefix - 1] == ';';

    private static string Described(PostgresException e, int prefix)
    {
        var text = $"{e.SqlState}: {e.MessageText}";
        if (e.Position > prefix)
        {
            text += $" (at character {(e.Position - prefix).ToString(CultureInfo.InvariantCulture)} of options.psql)";
        }
        return text;
    }
}
