using System.Security.Cryptography;
using System.Text;
using CallPush.Api.Answers;
using CallPush.Api.Features.Auth;
using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CallPush.Api.Features.Push;

/// <summary>Parses a push, stores it exactly once, and decides the answer.</summary>
internal sealed partial class PushIngestion
{
    private readonly PushCommitter _committer;
    private readonly DatabaseState _database;
    private readonly PushTenancy _tenancy;
    private readonly TimeProvider _time;
    private readonly ILogger<PushIngestion> _logger;
    private readonly ResiliencePipeline _storage;

    public PushIngestion(PushStore store, PushCommitter committer, DatabaseState database, PushTenancy tenancy, TimeProvider time,
        IOptions<PushOptions> options, ILogger<PushIngestion> logger)
    {
        _committer = committer;
        _database = database;
        _tenancy = tenancy;
        _time = time;
        _logger = logger;
        _storage = BuildStoragePipeline(options.Value, store);
    }

    public async Task<PushResult> IngestAsync(ReceivedPush request)
    {
        var (parsed, action, errCode, error) = Judge(request.Action, request.Body);
        var dedupKey = DedupKey(request);
        if (errCode == ErrCodes.Ok && request.Source == PushLogEntry.FromPush
            && _tenancy.Refusal(request.SourceName, parsed.SdkAppId!.Value) is { } refusal)
        {
            (errCode, error) = (ErrCodes.ForeignSdkAppId, refusal);
            // A key of its own, so that a refused push never takes the owner's push id and turns its real push into a duplicate.
            dedupKey = $"foreign:{request.SourceName}:{dedupKey}";
        }

        var row = new PushLogEntry
        {
            DedupKey = dedupKey,
            PushUuid = PushText.Storable(request.PushUuid, int.MaxValue),
            Action = action?.Name() ?? PushText.Storable(request.Action),
            Version = PushText.Storable(request.Version),
            ReceivedAt = _time.GetUtcNow(),
            BodyBytes = request.Body.Length,
            Headers = request.HeadersJson,
            SdkAppId = parsed.SdkAppId,
            SessionId = PushText.Storable(parsed.SessionId),
            Status = PushLogEntry.StatusOf(errCode),
            ErrorCode = errCode,
            Error = error,
            Body = parsed.BodyJson,
            RawBody = parsed.BodyJson is null ? request.Body.ToArray() : null,
            Source = request.Source,
            SourceName = request.SourceName,
        };
        if (request.PushUuid is null && request.DedupKey is null)
        {
            LogMissingPushUuid(_logger, row.Action, row.DedupKey);
        }
        if (!_database.SchemaIsCurrent)
        {
            return Result(new ErrCodeAnswer(ErrCodes.StorageUnavailable, "database is not ready yet; push again later"));
        }

        var content = errCode == ErrCodes.Ok ? parsed.Content : null;
        try
        {
            var stored = await StoreAsync(row, content);
            if (errCode != ErrCodes.Ok)
            {
                LogRejected(_logger, row.Action, row.DedupKey, errCode, error);
                return Result(new ErrCodeAnswer(errCode, error ?? "rejected"), duplicate: !stored);
            }
            if (!stored)
            {
                LogDuplicate(_logger, row.Action!, row.DedupKey);
                return Result(new ErrCodeAnswer(ErrCodes.Ok, "duplicate"), duplicate: true);
            }
            LogStored(_logger, row.Action!, row.SessionId, row.DedupKey);
            return Result(new ErrCodeAnswer(ErrCodes.Ok, "ok"));
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("23", StringComparison.Ordinal))
        {
            // The database refused a value (for example a \u0000 escape in jsonb): keep the push as received, with the reason.
            var reason = $"the database could not store this push ({e.SqlState}: {e.MessageText})";
            LogUnstorable(_logger, row.Action, row.DedupKey, e.SqlState);
            return Result(await StoreRejectedAsync(row.AsRejected(ErrCodes.UnstorableData, reason, request.Body.ToArray())));
        }
        catch (PushQueueFullException)
        {
            LogQueueFull(_logger, row.Action, row.DedupKey);
            return Result(new ErrCodeAnswer(ErrCodes.StorageUnavailable, "too many pushes are waiting to be stored; push again later")) with
            {
                RetryAfter = TimeSpan.FromSeconds(1),
            };
        }
        catch (Exception e) when (IsStorageFailure(e))
        {
            LogStorageUnavailable(_logger, e, row.Action, row.DedupKey);
            return Result(new ErrCodeAnswer(ErrCodes.StorageUnavailable, "storage is unavailable; push again later")) with
            {
                RetryAfter = TimeSpan.FromSeconds(5),
            };
        }

        PushResult Result(ErrCodeAnswer answer, bool duplicate = false) => new(answer, duplicate, row.SdkAppId, row.SessionId);
    }

    /// <summary>Today's verdict on a push: its parse, its action when known, and the ErrCode and reason it is answered with.</summary>
    public static PushVerdict Judge(string? action, ReadOnlyMemory<byte> body)
    {
        var actionKnown = PushActions.TryParse(action, out var known);
        var parsed = PushParser.Parse(actionKnown ? known : null, body);
        var (errCode, error) = (actionKnown, action) switch
        {
            (true, _) => (parsed.ErrCode, parsed.Error),
            (false, null or "") => (ErrCodes.MissingAction, "action is missing: expected ?action=cdr, record or voicemail"),
            _ => (ErrCodes.UnknownAction, "action is unknown: expected cdr, record or voicemail"),
        };
        return new PushVerdict(parsed, actionKnown ? known : null, errCode, error);
    }

    private async Task<ErrCodeAnswer> StoreRejectedAsync(PushLogEntry row)
    {
        try
        {
            await StoreAsync(row, null);
            return new ErrCodeAnswer(row.ErrorCode, row.Error!);
        }
        catch (Exception e) when (IsStorageFailure(e) || e is PushQueueFullException)
        {
            LogStorageUnavailable(_logger, e, row.Action, row.DedupKey);
            return new ErrCodeAnswer(ErrCodes.StorageUnavailable, "storage is unavailable; push again later");
        }
    }

    private static ResiliencePipeline BuildStoragePipeline(PushOptions options, PushStore store)
    {
        var builder = new ResiliencePipelineBuilder().AddTimeout(options.StorageTimeout);
        if (options.StorageRetries > 0)
        {
            // Safe to repeat: a batch that did commit before its answer was lost comes back as a duplicate.
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(e => e.IsTransient).Handle<TimeoutException>(),
                MaxRetryAttempts = options.StorageRetries,
                Delay = TimeSpan.FromMilliseconds(100),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // After a database restart or failover every idle pooled connection is dead: retry on fresh ones.
                OnRetry = _ =>
                {
                    store.ClearIdleConnections();
                    return ValueTask.CompletedTask;
                },
            });
        }
        return builder.Build();
    }

    private ValueTask<bool> StoreAsync(PushLogEntry row, PushContent? content) =>
        _storage.ExecuteAsync(static async (state, token) => await state.Committer.StoreAsync(state.Row, state.Content, token),
            (Committer: _committer, Row: row, Content: content), CancellationToken.None);

    private static bool IsStorageFailure(Exception e) =>
        DatabaseFailure.IsUnavailable(e) || e is TimeoutRejectedException;

    /// <summary>
    /// The platform's X-TCCC-PUSH-UUID, or for a push without it a hash of action and body, so that a sender that
    /// repeats the same push is still deduplicated.
    /// </summary>
    private static string DedupKey(ReceivedPush request)
    {
        if (request.DedupKey is { } given)
        {
            return given;
        }
        if (request.PushUuid is { Length: > 0 and <= PushText.MaxDedupKeyLength } uuid && !uuid.Contains('\0', StringComparison.Ordinal))
        {
            return uuid;
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (request.PushUuid is { } longUuid)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(longUuid));
            return "uuid-sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        hash.AppendData(Encoding.UTF8.GetBytes((request.Action ?? string.Empty).Trim().ToLowerInvariant() + "\n"));
        hash.AppendData(request.Body.Span);
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }


    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {Action} push for session {SessionId} ({DedupKey})")]
    private static partial void LogStored(ILogger logger, string action, string? sessionId, string dedupKey);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Duplicate {Action} push {DedupKey}: already stored, nothing changed")]
    private static partial void LogDuplicate(ILogger logger, string action, string dedupKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected {Action} push {DedupKey} with ErrCode {ErrCode}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string? action, string dedupKey, int errCode, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Action} push arrived without X-TCCC-PUSH-UUID; deduplicating it by body hash {DedupKey}")]
    private static partial void LogMissingPushUuid(ILogger logger, string? action, string dedupKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database refused a value of {Action} push {DedupKey} ({SqlState}); kept it as rejected")]
    private static partial void LogUnstorable(ILogger logger, string? action, string dedupKey, string sqlState);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Answered {Action} push {DedupKey} 503: too many pushes are waiting to be stored")]
    private static partial void LogQueueFull(ILogger logger, string? action, string dedupKey);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store {Action} push {DedupKey}: storage unavailable, answered 503 so the sender retries")]
    private static partial void LogStorageUnavailable(ILogger logger, Exception exception, string? action, string dedupKey);
}

internal sealed record PushVerdict(ParsedPush Parsed, PushAction? Action, int ErrCode, string? Error);
