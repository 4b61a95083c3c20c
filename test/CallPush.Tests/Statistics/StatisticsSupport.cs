using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Statistics;

public static class StatisticsSupport
{
    /// <summary>Settings for a service whose worker polls often, so tests wait for it briefly.</summary>
    public static Dictionary<string, string?> Settings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["CallPush:Statistics:PollInterval"] = "00:00:00.050" };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>Until every changed interval has been recomputed and committed (a worker's taken marks stay visible
    /// to others until its transaction commits).</summary>
    public static async Task WaitUntilCurrentAsync(this CallPushApp app, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (await app.ScalarAsync<bool>("SELECT EXISTS (SELECT FROM stat_dirty_intervals)"))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the statistics worker did not consume the changed intervals in time");
            }
            await Task.Delay(20);
        }
    }

    public static async Task PushCdrAsync(this HttpClient client, string cdr)
    {
        var reply = await client.PushAndReadAsync("cdr", cdr, Guid.NewGuid().ToString());
        Assert.True(reply.ErrCode == 0, $"push refused: {reply.Status} {reply.ErrCode} {reply.ErrMsg}");
    }

    public const string SkillGroupColumns = """
        sdk_app_id, skill_group_id, interval_start, t1_seconds, t2_seconds, offered, answered, abandoned, answered_within_t1,
        abandoned_within_t2, wait_seconds_total, wait_seconds_max, talk_seconds_total
        """;

    public const string AgentColumns = """
        sdk_app_id, agent_id, interval_start, offered, answered, not_answered, ring_seconds, talk_seconds, inbound_offered,
        inbound_answered, outbound_offered, outbound_answered, outbound_connected
        """;

    /// <summary>Both tables as text, one line per row in key order, without the write times.</summary>
    public static async Task<List<string>> SnapshotAsync(this CallPushApp app)
    {
        var lines = new List<string>();
        foreach (var (table, columns) in new[] { ("stat_skill_group_intervals", SkillGroupColumns), ("stat_agent_intervals", AgentColumns) })
        {
            var rows = await app.RowsAsync($"SELECT {columns} FROM {table} ORDER BY 1, 2, 3");
            lines.AddRange(rows.Select(row => table + ": " + string.Join(", ", row.Select(c => $"{c.Key}={Text(c.Value)}"))));
        }
        return lines;
    }

    private static string Text(object? value) => value switch
    {
        DateTime time => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture),
        null => "null",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!,
    };
}
