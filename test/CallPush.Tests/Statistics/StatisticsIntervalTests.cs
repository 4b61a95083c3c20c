using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Statistics;

/// <summary>Every counter of the interval tables, on CDRs pushed through /push and counted by the running worker.</summary>
public sealed class StatisticsIntervalTests(PostgresFixture postgres) : AppTest(postgres, StatisticsSupport.Settings(
    ("CallPush:Statistics:Thresholds:3002:T1Seconds", "30"),
    ("CallPush:Statistics:Thresholds:3002:T2Seconds", "5")))
{
    private const long Group = 3001;
    private const long ThresholdGroup = 3002;
    private static readonly DateTimeOffset Ten = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(int minutes, int seconds = 0) => Ten.AddMinutes(minutes).AddSeconds(seconds);

    [Fact]
    public async Task Skill_group_and_agent_counters_follow_the_pushed_cdrs()
    {
        // Interval 10:00 of group 3001 (t1 20 s, t2 10 s by default).
        await Client.PushCdrAsync(StatisticsCdr.Inbound("a-answered-in-15s", Group, At(0), At(0, 15), At(5, 15),
            new Track("a@example.com", At(0, 10), At(0, 10), At(0, 15), At(5, 15))));
        await Client.PushCdrAsync(StatisticsCdr.Inbound("b-answered-in-30s", Group, At(1), At(1, 30), At(3, 30),
            new Track("b@example.com", At(1, 25), At(1, 25), At(1, 30), At(3, 30))));
        await Client.PushCdrAsync(StatisticsCdr.Inbound("c-short-abandon", Group, At(2), null, At(2, 5),
            new Track("a@example.com", At(2, 1), At(2, 1), null, At(2, 5))));
        await Client.PushCdrAsync(StatisticsCdr.Inbound("d-long-abandon", Group, At(3), null, At(3, 40)));
        // Queued before 10:15, answered after: the queue counts it at 10:00, the agent at 10:15.
        await Client.PushCdrAsync(StatisticsCdr.Inbound("e-across-10-15", Group, At(14, 50), At(15, 5), At(16, 5),
            new Track("b@example.com", At(15), At(15), At(15, 5), At(16, 5))));
        // Pushed first at 10:20, then again with the times it really had: it moves from 10:15 to 10:30.
        await Client.PushCdrAsync(StatisticsCdr.Inbound("f-moved", Group, At(20), At(20, 10), At(21, 10),
            new Track("a@example.com", At(20, 5), At(20, 5), At(20, 10), At(21, 10))));
        await App.WaitUntilCurrentAsync();
        var beforeMove = await SkillGroupRowAsync(Group, At(15));
        await Client.PushCdrAsync(StatisticsCdr.Inbound("f-moved", Group, At(31), At(31, 25), At(33),
            new Track("a@example.com", At(31, 20), At(31, 20), At(31, 25), At(33))));
        // Queued at 23:59:50, answered after midnight: the queue's day is the 2nd, the agent's the 3rd.
        await Client.PushCdrAsync(StatisticsCdr.Inbound("g-across-midnight", Group, At(13 * 60 + 59, 50), At(14 * 60, 5), At(14 * 60 + 2, 5),
            new Track("a@example.com", At(14 * 60), At(14 * 60), At(14 * 60, 5), At(14 * 60 + 2, 5))));
        // Group 3002 has t1 30 s and t2 5 s.
        await Client.PushCdrAsync(StatisticsCdr.Inbound("h-answered-in-25s", ThresholdGroup, At(5), At(5, 25), At(10, 25),
            new Track("b@example.com", At(5, 20), At(5, 20), At(5, 25), At(10, 25))));
        await Client.PushCdrAsync(StatisticsCdr.Inbound("i-abandon-after-8s", ThresholdGroup, At(6), null, At(6, 8)));
        // Outbound: never in a queue's counts; the agent's track has no ring, so its start time places it.
        await Client.PushCdrAsync(StatisticsCdr.Outbound("j-outbound", Group, At(40), At(40, 2), At(40, 10), At(41),
            new Track("a@example.com", At(40), null, At(40, 1), At(41), Type: "outboundSeat")));
        await App.WaitUntilCurrentAsync();

        Assert.NotNull(beforeMove);
        Assert.Equal(1, beforeMove["offered"]);
        Assert.Null(await SkillGroupRowAsync(Group, At(15)));

        var ten = await SkillGroupRowAsync(Group, At(0));
        Assert.NotNull(ten);
        Assert.Equal(Counters(t1: 20, t2: 10, offered: 5, answered: 3, abandoned: 2, withinT1: 2, withinT2: 1, waitTotal: 60, waitMax: 30, talk: 480),
            SkillGroupCounters(ten));
        Assert.Equal(Counters(t1: 20, t2: 10, offered: 1, answered: 1, abandoned: 0, withinT1: 0, withinT2: 0, waitTotal: 25, waitMax: 25, talk: 95),
            SkillGroupCounters((await SkillGroupRowAsync(Group, At(30)))!));
        Assert.Equal(Counters(t1: 20, t2: 10, offered: 1, answered: 1, abandoned: 0, withinT1: 1, withinT2: 0, waitTotal: 15, waitMax: 15, talk: 120),
            SkillGroupCounters((await SkillGroupRowAsync(Group, At(13 * 60 + 45)))!));
        Assert.Equal(Counters(t1: 30, t2: 5, offered: 2, answered: 1, abandoned: 1, withinT1: 1, withinT2: 0, waitTotal: 25, waitMax: 25, talk: 300),
            SkillGroupCounters((await SkillGroupRowAsync(ThresholdGroup, At(0)))!));
        Assert.Equal(4, await App.ScalarAsync<long>("SELECT count(*) FROM stat_skill_group_intervals"));

        Assert.Equal(AgentCounters(offered: 2, answered: 1, ring: 9, talk: 300, inbound: (2, 1), outbound: (0, 0, 0)),
            await AgentRowAsync("a@example.com", At(0)));
        Assert.Equal(AgentCounters(offered: 2, answered: 2, ring: 5, talk: 95 + 59, inbound: (1, 1), outbound: (1, 1, 1)),
            await AgentRowAsync("a@example.com", At(30)));
        Assert.Equal(AgentCounters(offered: 1, answered: 1, ring: 5, talk: 120, inbound: (1, 1), outbound: (0, 0, 0)),
            await AgentRowAsync("a@example.com", At(14 * 60)));
        Assert.Equal(AgentCounters(offered: 2, answered: 2, ring: 10, talk: 420, inbound: (2, 2), outbound: (0, 0, 0)),
            await AgentRowAsync("b@example.com", At(0)));
        Assert.Equal(AgentCounters(offered: 1, answered: 1, ring: 5, talk: 60, inbound: (1, 1), outbound: (0, 0, 0)),
            await AgentRowAsync("b@example.com", At(15)));
        Assert.Equal(5, await App.ScalarAsync<long>("SELECT count(*) FROM stat_agent_intervals"));

        var day = Assert.Single(await App.RowsAsync(
            "SELECT offered, answered_within_t1, service_level, abandoned_within_t2, max_wait_seconds FROM skill_group_day WHERE skill_group_id = $1",
            Group));
        Assert.Equal(7, day["offered"]);
        Assert.Equal(3, day["answered_within_t1"]);
        Assert.Equal(0.4286m, day["service_level"]);
        Assert.Equal(1, day["abandoned_within_t2"]);
        Assert.Equal(30, day["max_wait_seconds"]);
        var agentDays = await App.RowsAsync(
            "SELECT day, offered, talk_seconds FROM agent_day WHERE agent_key = 'a@example.com' ORDER BY day");
        Assert.Equal([(new DateOnly(2026, 11, 2), 4), (new DateOnly(2026, 11, 3), 1)],
            agentDays.Select(r => ((DateOnly)r["day"]!, (int)r["offered"]!)));
    }

    [Fact]
    public async Task A_call_whose_cdr_loses_its_queue_leaves_no_row_behind()
    {
        var sessionId = Samples.NewSessionId();
        await Client.PushCdrAsync(StatisticsCdr.Inbound(sessionId, Group, At(0), At(0, 5), At(1),
            new Track("a@example.com", At(0), At(0), At(0, 5), At(1))));
        await App.WaitUntilCurrentAsync();
        Assert.Equal(1, await App.ScalarAsync<long>("SELECT count(*) FROM stat_skill_group_intervals"));

        await Client.PushCdrAsync(StatisticsCdr.Inbound(sessionId, 0, At(0), At(0, 5), At(2)));
        await App.WaitUntilCurrentAsync();

        Assert.Equal(0, await App.ScalarAsync<long>("SELECT count(*) FROM stat_skill_group_intervals"));
        Assert.Equal(0, await App.ScalarAsync<long>("SELECT count(*) FROM stat_agent_intervals"));
    }

    [Fact]
    public async Task The_analyst_role_reads_the_tables_and_views()
    {
        await Client.PushCdrAsync(StatisticsCdr.Inbound(Samples.NewSessionId(), Group, At(0), At(0, 5), At(1),
            new Track("a@example.com", At(0), At(0), At(0, 5), At(1))));
        await App.WaitUntilCurrentAsync();

        foreach (var relation in new[] { "stat_skill_group_intervals", "stat_agent_intervals", "calls", "skill_group_day", "agent_day" })
        {
            var rows = await App.RowsAsync($"SET LOCAL ROLE callpush_reader; SELECT count(*) AS n FROM {relation}");
            Assert.True((long)rows.Single()["n"]! > 0, relation);
            Assert.False(await App.ScalarAsync<bool>("SELECT has_table_privilege('callpush_reader', $1, 'INSERT')", relation), relation);
        }
        var call = Assert.Single(await App.RowsAsync("SELECT direction, skill_group_name, agent_key, wait_seconds, talk_seconds, recording_status FROM calls"));
        Assert.Equal(("inbound", "group 3001", "a@example.com", 5, 55, "none"),
            ((string)call["direction"]!, (string)call["skill_group_name"]!, (string)call["agent_key"]!, (int)call["wait_seconds"]!,
             (int)call["talk_seconds"]!, (string)call["recording_status"]!));
    }

    private async Task<Dictionary<string, object?>?> SkillGroupRowAsync(long skillGroupId, DateTimeOffset intervalStart) =>
        (await App.RowsAsync($"SELECT {StatisticsSupport.SkillGroupColumns} FROM stat_skill_group_intervals WHERE skill_group_id = $1 AND interval_start = $2",
            skillGroupId, intervalStart)).SingleOrDefault();

    private async Task<string> AgentRowAsync(string agentKey, DateTimeOffset intervalStart)
    {
        var row = (await App.RowsAsync($"""
            SELECT {StatisticsSupport.AgentColumns} FROM stat_agent_intervals
            WHERE agent_id = (SELECT id FROM agents WHERE agent_key = $1) AND interval_start = $2
            """, agentKey, intervalStart)).SingleOrDefault();
        return row is null
            ? "no row"
            : $"offered={row["offered"]} answered={row["answered"]} not_answered={row["not_answered"]} ring={row["ring_seconds"]} talk={row["talk_seconds"]} " +
              $"inbound={row["inbound_offered"]}/{row["inbound_answered"]} outbound={row["outbound_offered"]}/{row["outbound_answered"]}/{row["outbound_connected"]}";
    }

    private static string AgentCounters(int offered, int answered, long ring, long talk, (int Offered, int Answered) inbound,
        (int Offered, int Answered, int Connected) outbound) =>
        $"offered={offered} answered={answered} not_answered={offered - answered} ring={ring} talk={talk} " +
        $"inbound={inbound.Offered}/{inbound.Answered} outbound={outbound.Offered}/{outbound.Answered}/{outbound.Connected}";

    private static string Counters(int t1, int t2, int offered, int answered, int abandoned, int withinT1, int withinT2, long waitTotal,
        int waitMax, long talk) =>
        $"t1={t1} t2={t2} offered={offered} answered={answered} abandoned={abandoned} within_t1={withinT1} within_t2={withinT2} " +
        $"wait={waitTotal} max={waitMax} talk={talk}";

    private static string SkillGroupCounters(Dictionary<string, object?> row) =>
        Counters((int)row["t1_seconds"]!, (int)row["t2_seconds"]!, (int)row["offered"]!, (int)row["answered"]!, (int)row["abandoned"]!,
            (int)row["answered_within_t1"]!, (int)row["abandoned_within_t2"]!, (long)row["wait_seconds_total"]!, (int)row["wait_seconds_max"]!,
            (long)row["talk_seconds_total"]!);
}
