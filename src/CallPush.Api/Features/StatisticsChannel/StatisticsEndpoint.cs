using System.Diagnostics;
using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Features.Reconciliation;
using CallPush.Api.Hosting;
using FastEndpoints;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallPush.Api.Features.StatisticsChannel;

/// <summary>
/// POST /stats: the analyst statistics channel, compatible with the Axatel statistics channel protocol
/// (<c>{"entity":"chronological","action":"data"|"quantity","options":{"psql":"select ..."}}</c>).
/// </summary>
internal sealed partial class StatisticsEndpoint(
    StatisticsDatabase database,
    StatisticsKeyLimiter limiter,
    IOptions<StatisticsChannelOptions> options,
    IOptions<SourcesOptions> sources,
    ILogger<StatisticsEndpoint> logger) : EndpointWithoutRequest
{
    public const string Path = "/stats";

    private const int MaxLoggedStatement = 4000;

    public override void Configure()
    {
        Post(Path);
        AuthSchemes(ApiKeyAuthenticationHandler.SchemeName);
        Description(b => b
            .WithName("StatisticsChannel")
            .ClearDefaultProduces()
            .Accepts<StatisticsRequestBody>("application/json")
            .Produces<StatisticsAnswer>(StatusCodes.Status200OK, "application/json")
            .Produces<StatisticsAnswer>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<Answers.ApiError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<StatisticsAnswer>(StatusCodes.Status403Forbidden, "application/json")
            .Produces<StatisticsAnswer>(StatusCodes.Status413PayloadTooLarge, "application/json")
            .Produces<StatisticsAnswer>(StatusCodes.Status429TooManyRequests, "application/json")
            .Produces<StatisticsAnswer>(StatusCodes.Status500InternalServerError, "application/json")
            .Produces<StatisticsAnswer>(StatusCodes.Status503ServiceUnavailable, "application/json")
            .Produces<StatisticsAnswer>(StatusCodes.Status504GatewayTimeout, "application/json"));
        Summary(s =>
        {
            s.Summary = "Runs an analyst's SELECT statement and answers its rows (action data) or its single number (action quantity).";
            s.Description = "The statistics channel protocol: entity chronological, action data or quantity, options.psql a SELECT "
                + "(or WITH ... SELECT) statement. It runs as the callpush_reader role (a key limited to sources: as a login that row-level "
                + "security limits to their SdkAppIds) in a read-only transaction with a statement "
                + "timeout, as exactly one statement. data answers at most MaxRows rows (10,000 by default): X-Stats-Truncated says "
                + "whether the result was cut. Every failure is {\"success\":false,\"error\":\"...\",\"data\":null}.";
            s.Responses[StatusCodes.Status200OK] = "success:true; data is an array of row objects (data) or a number (quantity). "
                + "Header X-Stats-Truncated: true when the rows were cut at X-Stats-Max-Rows.";
            s.Responses[StatusCodes.Status400BadRequest] = "The body is not UTF-8 JSON of the protocol, the entity or action is unknown, options.psql is "
                + "missing or not one SELECT statement, PostgreSQL refused it (its message, e.g. a syntax error), or quantity did not answer one number.";
            s.Responses[StatusCodes.Status401Unauthorized] = "The API key is missing, wrong or revoked.";
            s.Responses[StatusCodes.Status403Forbidden] = "The statement reads something the reader role may not (e.g. api_keys).";
            s.Responses[StatusCodes.Status413PayloadTooLarge] = "The body is larger than CallPush__StatisticsChannel__MaxRequestBytes (64 KiB).";
            s.Responses[StatusCodes.Status429TooManyRequests] = "This API key already runs MaxConcurrentStatementsPerKey statements (2).";
            s.Responses[StatusCodes.Status500InternalServerError] = "An unexpected error (logged); a failure after the rows began aborts the response instead.";
            s.Responses[StatusCodes.Status503ServiceUnavailable] = "The channel is not configured (no login role), its role has more rights than reading, a key limited to sources has no restricted login, or the database is unavailable.";
            s.Responses[StatusCodes.Status504GatewayTimeout] = "The statement ran longer than StatementTimeout (10 s) and was cancelled.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var keyPrefix = User.FindFirst(ApiKeyAuthenticationHandler.PrefixClaim)?.Value ?? string.Empty;
        var settings = options.Value;

        var body = await RequestBody.ReadAsync(HttpContext, settings.MaxRequestBytes, ct);
        if (body is null)
        {
            await RefuseAsync(keyPrefix, null, StatusCodes.Status413PayloadTooLarge, $"the body is larger than {settings.MaxRequestBytes} bytes", started, ct);
            return;
        }
        var (request, problem) = StatisticsRequest.Parse(body);
        if (request is null)
        {
            await RefuseAsync(keyPrefix, null, StatusCodes.Status400BadRequest, problem!, started, ct);
            return;
        }
        if (!limiter.TryEnter(keyPrefix))
        {
            HttpContext.Response.Headers.RetryAfter = "1";
            await RefuseAsync(keyPrefix, request, StatusCodes.Status429TooManyRequests,
                $"this API key already runs {settings.MaxConcurrentStatementsPerKey} statements; send the next when one has answered", started, ct);
            return;
        }
        try
        {
            var (dataSource, refusal) = await OpenAsync(AnalystScope.Of(User, sources.Value), ct);
            if (dataSource is null)
            {
                await RefuseAsync(keyPrefix, request, StatusCodes.Status503ServiceUnavailable, refusal!, started, ct);
                return;
            }
            var outcome = await StatisticsStatement.RunAsync(dataSource, request, settings, HttpContext, ct);
            Log(keyPrefix, request, outcome, started);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogUnexpected(logger, e, keyPrefix, Shorten(request.Statement));
            if (HttpContext.Response.HasStarted)
            {
                HttpContext.Abort();
                return;
            }
            await StatisticsAnswer.Failure("internal error").WriteAsync(HttpContext.Response, StatusCodes.Status500InternalServerError, CancellationToken.None);
        }
        finally
        {
            limiter.Exit(keyPrefix);
        }
    }

    private async Task<(NpgsqlDataSource? DataSource, string? Refusal)> OpenAsync(AnalystScope scope, CancellationToken ct)
    {
        try
        {
            return await database.GetAsync(scope, ct);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogUnavailable(logger, e);
            return (null, "the statistics channel cannot reach its database right now; try again later");
        }
    }

    private async Task RefuseAsync(string keyPrefix, StatisticsRequest? request, int statusCode, string error, long started, CancellationToken ct)
    {
        await StatisticsAnswer.Failure(error).WriteAsync(HttpContext.Response, statusCode, ct);
        Log(keyPrefix, request, new StatementOutcome(statusCode, error, 0, false), started);
    }

    private void Log(string keyPrefix, StatisticsRequest? request, StatementOutcome outcome, long started)
    {
        var action = request is null ? "-" : request.Action == StatisticsAction.Data ? "data" : "quantity";
        var elapsedMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var statement = request is null ? "-" : Shorten(request.Statement);
        LogStatement(logger, keyPrefix, action, outcome.StatusCode, outcome.Error ?? "ok", outcome.Rows, outcome.Truncated, elapsedMs, statement);
    }

    private static string Shorten(string statement) =>
        statement.Length <= MaxLoggedStatement ? statement : statement[..MaxLoggedStatement] + "...";

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Statistics {Action} for key {KeyPrefix}: {StatusCode} {Outcome}, {Rows} rows (truncated: {Truncated}) in {ElapsedMs} ms: {Statement}")]
    private static partial void LogStatement(ILogger logger, string keyPrefix, string action, int statusCode, string outcome, long rows, bool truncated,
        long elapsedMs, string statement);

    [LoggerMessage(Level = LogLevel.Error, Message = "The statistics channel could not open its database")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Statistics statement for key {KeyPrefix} failed unexpectedly: {Statement}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string keyPrefix, string statement);
}
