using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace CallPush.Api.Features.Statistics;

/// <summary>What one pass over the changed intervals did; <see cref="Busy"/> when another replica holds the work.</summary>
internal sealed record DirtyPass(bool Busy, int Taken, long Changed);

/// <summary>Recomputes statistics intervals from the normalized tables, for the worker and for <c>stats rebuild</c>.</summary>
internal sealed class StatisticsRecomputer(NpgsqlDataSource dataSource, IOptions<StatisticsOptions> options)
{
    private readonly StatisticsOptions _options = options.Value;

    /// <summary>
    /// Takes up to a batch of changed intervals and recomputes them, in one transaction. Marks committed after this
    /// transaction's statements started are left for the next pass, so every change is counted by some pass.
    /// </summary>
    public async Task<DirtyPass> ProcessDirtyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await TryLockAsync(connection, transaction, cancellationToken))
        {
            return new DirtyPass(true, 0, 0);
        }

        var skillGroups = new IntervalKeys();
        var agents = new IntervalKeys();
        var taken = 0;
        await using (var take = new NpgsqlCommand(StatisticsSql.TakeDirty, connection, transaction))
        {
            take.Parameters.AddWithValue("batch", _options.BatchSize);
            await using var reader = await take.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                taken++;
                var keys = reader.GetString(0) == StatDirtyInterval.SkillGroup ? skillGroups : agents;
                keys.Add(reader.GetInt64(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3));
            }
        }

        long changed = 0;
        if (skillGroups.Count > 0)
        {
            changed += await RecomputeAsync(connection, transaction, StatisticsSql.RecomputeSkillGroups(StatisticsSql.SkillGroupKeysFromArrays),
                skillGroups.AddTo, applyCurrentThresholds: false, cancellationToken);
        }
        if (agents.Count > 0)
        {
            changed += await RecomputeAsync(connection, transaction, StatisticsSql.RecomputeAgents(StatisticsSql.AgentKeysFromArrays),
                agents.AddTo, applyCurrentThresholds: null, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new DirtyPass(false, taken, changed);
    }

    /// <summary>
    /// Recomputes every interval that starts in [<paramref name="from"/>, <paramref name="to"/>): the range's keys are
    /// read once, then recomputed a UTC day per transaction with the statements the worker runs.
    /// </summary>
    public async Task<(long SkillGroupRows, long AgentRows)> RebuildAsync(
        DateTimeOffset from, DateTimeOffset to, bool applyCurrentThresholds, CancellationToken cancellationToken)
    {
        var skillGroupKeys = await RangeKeysAsync(StatisticsSql.RangeSkillGroupKeys, from, to, cancellationToken);
        var agentKeys = await RangeKeysAsync(StatisticsSql.RangeAgentKeys, from, to, cancellationToken);
        long skillGroupRows = 0, agentRows = 0;
        var days = skillGroupKeys.Keys.Union(agentKeys.Keys).Order();
        foreach (var day in days)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var wait = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
            {
                wait.Parameters.AddWithValue("key", StatisticsSql.LockKey);
                await wait.ExecuteNonQueryAsync(cancellationToken);
            }
            if (skillGroupKeys.TryGetValue(day, out var skillGroups))
            {
                skillGroupRows += await RecomputeAsync(connection, transaction, StatisticsSql.RecomputeSkillGroups(StatisticsSql.SkillGroupKeysFromArrays),
                    skillGroups.AddTo, applyCurrentThresholds, cancellationToken);
            }
            if (agentKeys.TryGetValue(day, out var agents))
            {
                agentRows += await RecomputeAsync(connection, transaction, StatisticsSql.RecomputeAgents(StatisticsSql.AgentKeysFromArrays),
                    agents.AddTo, applyCurrentThresholds: null, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return (skillGroupRows, agentRows);
    }

    private async Task<Dictionary<DateOnly, IntervalKeys>> RangeKeysAsync(string sql, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", NpgsqlDbType.TimestampTz) { TypedValue = from });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", NpgsqlDbType.TimestampTz) { TypedValue = to });
        var byDay = new Dictionary<DateOnly, IntervalKeys>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var intervalStart = reader.GetFieldValue<DateTimeOffset>(2);
            var day = DateOnly.FromDateTime(intervalStart.UtcDateTime);
            if (!byDay.TryGetValue(day, out var keys))
            {
                byDay[day] = keys = new IntervalKeys();
            }
            keys.Add(reader.GetInt64(0), reader.GetInt64(1), intervalStart);
        }
        return byDay;
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@key)", connection, transaction);
        command.Parameters.AddWithValue("key", StatisticsSql.LockKey);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <param name="applyCurrentThresholds">null for the agent statement, which has no thresholds.</param>
    private async Task<long> RecomputeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        Action<NpgsqlParameterCollection> keys, bool? applyCurrentThresholds, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        keys(command.Parameters);
        if (applyCurrentThresholds is { } apply)
        {
            var (ids, t1, t2) = _options.PerSkillGroup();
            command.Parameters.AddWithValue("threshold_ids", ids);
            command.Parameters.AddWithValue("threshold_t1", t1);
            command.Parameters.AddWithValue("threshold_t2", t2);
            command.Parameters.AddWithValue("default_t1", _options.T1Seconds);
            command.Parameters.AddWithValue("default_t2", _options.T2Seconds);
            command.Parameters.AddWithValue("apply_current_thresholds", apply);
        }
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private sealed class IntervalKeys
    {
        private readonly HashSet<(long SdkAppId, long Key, DateTimeOffset IntervalStart)> _keys = [];

        public int Count => _keys.Count;

        public void Add(long sdkAppId, long key, DateTimeOffset intervalStart) => _keys.Add((sdkAppId, key, intervalStart));

        public void AddTo(NpgsqlParameterCollection parameters)
        {
            parameters.AddWithValue("sdk_app_ids", _keys.Select(k => k.SdkAppId).ToArray());
            parameters.AddWithValue("keys", _keys.Select(k => k.Key).ToArray());
            parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("interval_starts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
            {
                TypedValue = [.. _keys.Select(k => k.IntervalStart)],
            });
        }
    }
}
