using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Statistics;

/// <summary><c>stats rebuild</c>, run as an operator runs it, against what the worker kept current.</summary>
public sealed class StatisticsRebuildTests(PostgresFixture postgres)
{
    private static readonly DateTimeOffset Day = new(2026, 11, 4, 0, 0, 0, TimeSpan.Zero);
    private static readonly (string Key, string Value)[] Thresholds =
        [("CallPush:Statistics:Thresholds:4002:T1Seconds", "30"), ("CallPush:Statistics:Thresholds:4003:T2Seconds", "3")];

    [Fact]
    public async Task A_rebuild_gives_exactly_what_the_worker_gave_on_a_generated_day()
    {
        await using var app = await CallPushApp.StartAsync(postgres, StatisticsSupport.Settings(Thresholds));
        using var client = app.CreateClient();
        var pushes = GeneratedDay(new Random(20261104), sessions: 600);
        await Parallel.ForEachAsync(pushes, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (sessionPushes, cancellationToken) =>
            {
                foreach (var cdr in sessionPushes)
                {
                    await client.PushCdrAsync(cdr);
                }
            });
        await app.WaitUntilCurrentAsync(TimeSpan.FromSeconds(60));
        var incremental = await app.SnapshotAsync();

        var unchanged = await RebuildAsync(app, "--from", "2026-11-03", "--to", "2026-11-05");
        await app.ScalarAsync<int>("DELETE FROM stat_skill_group_intervals; DELETE FROM stat_agent_intervals; SELECT 0");
        var fromScratch = await RebuildAsync(app, "--from", "2026-11-03", "--to", "2026-11-05");
        var rebuilt = await app.SnapshotAsync();

        Assert.Contains("0 skill group interval(s) and 0 agent interval(s) written or removed", unchanged, StringComparison.Ordinal);
        Assert.DoesNotContain(" 0 skill group interval(s)", fromScratch, StringComparison.Ordinal);
        Assert.True(incremental.Count > 300, $"only {incremental.Count} rows: the generated day is too small to prove much");
        Assert.Contains(incremental, line => line.Contains("t1_seconds=30", StringComparison.Ordinal));
        Assert.Equal(incremental, rebuilt);
    }

    [Fact]
    public async Task Rows_keep_their_thresholds_unless_the_rebuild_is_told_to_apply_the_current_ones()
    {
        await using var app = await CallPushApp.StartAsync(postgres, StatisticsSupport.Settings(("CallPush:Statistics:Thresholds:3002:T1Seconds", "30")));
        using var client = app.CreateClient();
        await client.PushCdrAsync(StatisticsCdr.Inbound("answered-in-25s", 3002, Day.AddHours(9), Day.AddHours(9).AddSeconds(25), Day.AddHours(9.1)));
        await app.WaitUntilCurrentAsync();
        const string row = "SELECT t1_seconds || '/' || answered_within_t1 FROM stat_skill_group_intervals";
        var computed = await app.ScalarAsync<string>(row);

        await RebuildAsync(app, "--from", "2026-11-04", "--to", "2026-11-04");
        var kept = await app.ScalarAsync<string>(row);
        await RebuildAsync(app, "--from", "2026-11-04", "--to", "2026-11-04", "--apply-current-thresholds");
        var applied = await app.ScalarAsync<string>(row);

        Assert.Equal(["30/1", "30/1", "20/0"], new[] { computed!, kept!, applied! });
    }

    [Theory]
    [InlineData("rebuild", "--from", "2026-11-04")]
    [InlineData("rebuild", "--from", "2026-11-05", "--to", "2026-11-04")]
    [InlineData("rebuild", "--from", "04/11/2026", "--to", "2026-11-04")]
    [InlineData("rerun")]
    public async Task A_wrong_command_line_is_refused_with_the_usage(params string[] arguments)
    {
        var run = await ServiceCommand.RunAsync(["stats", .. arguments], await postgres.CreateEmptyDatabaseAsync());

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("stats rebuild --from <yyyy-MM-dd> --to <yyyy-MM-dd>", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task A_threshold_under_a_key_that_is_not_a_skill_group_id_is_refused_by_name()
    {
        var run = await ServiceCommand.RunAsync(["stats", "rebuild", "--from", "2026-11-04", "--to", "2026-11-04"],
            await postgres.CreateEmptyDatabaseAsync(),
            new Dictionary<string, string> { ["CallPush__Statistics__Thresholds__support__T1Seconds"] = "30" });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("CallPush__Statistics__Thresholds__support: 'support' is not a skill group id", run.Error, StringComparison.Ordinal);
    }

    /// <summary>The rebuild as a process of its own; the service's thresholds come from the environment, as in a deployment.</summary>
    private static async Task<string> RebuildAsync(CallPushApp app, params string[] arguments)
    {
        var environment = Thresholds.ToDictionary(t => t.Key.Replace(":", "__", StringComparison.Ordinal), t => t.Value);
        var run = await ServiceCommand.RunAsync(["stats", "rebuild", .. arguments], app.ConnectionString, environment);
        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}: {run.Error}");
        return run.Output;
    }

    /// <summary>
    /// Sessions of one day and the edges of its neighbours, each as the CDRs pushed for it in order: random queues,
    /// outcomes, transfers and outbound calls; a quarter pushed again with other times and outcomes (some move to
    /// another interval), a few pushed again with an older CDR that must change nothing.
    /// </summary>
    private static List<List<string>> GeneratedDay(Random random, int sessions)
    {
        string[] agents = [.. Enumerable.Range(1, 12).Select(i => $"agent{i}@example.com")];
        long[] groups = [4001, 4002, 4003, 4004];
        string Cdr(string sessionId, DateTimeOffset queued)
        {
            var group = groups[random.Next(groups.Length)];
            var wait = random.Next(0, 90);
            var answered = random.NextDouble() < 0.7;
            var talk = random.Next(5, 900);
            var tracks = new List<Track>();
            var ring = queued.AddSeconds(Math.Max(0, wait - random.Next(0, 15)));
            if (random.NextDouble() < 0.15)
            {
                tracks.Add(new Track(agents[random.Next(agents.Length)], ring, ring, null, ring.AddSeconds(random.Next(1, 20))));
            }
            var end = answered ? queued.AddSeconds(wait + talk) : queued.AddSeconds(wait);
            if (answered || random.NextDouble() < 0.5)
            {
                var noRing = random.NextDouble() < 0.05;
                tracks.Add(new Track(agents[random.Next(agents.Length)], ring, noRing ? null : ring,
                    answered ? queued.AddSeconds(wait) : null, end));
            }
            if (random.NextDouble() < 0.1)
            {
                var start = queued.AddSeconds(-30);
                return StatisticsCdr.Outbound(sessionId, group, start, start.AddSeconds(3), answered ? start.AddSeconds(10) : null, end,
                    [.. tracks.Select(t => t with { Type = "outboundSeat" })]);
            }
            return StatisticsCdr.Inbound(sessionId, group, queued, answered ? queued.AddSeconds(wait) : null, end, [.. tracks]);
        }

        var all = new List<List<string>>();
        for (var i = 0; i < sessions; i++)
        {
            var sessionId = $"generated-{i}";
            var queued = Day.AddMinutes(-30).AddSeconds(random.Next(0, 25 * 3600));
            var cdrs = new List<string> { Cdr(sessionId, queued) };
            var draw = random.NextDouble();
            if (draw < 0.20)
            {
                // Other times and outcome: it replaces the first when it ends later, otherwise it changes nothing.
                cdrs.Add(Cdr(sessionId, queued.AddSeconds(random.Next(-900, 900))));
            }
            else if (draw < 0.25)
            {
                cdrs.Insert(0, Cdr(sessionId, queued.AddHours(-2)));
            }
            else if (draw < 0.30)
            {
                cdrs.Add(Cdr(sessionId, queued.AddHours(-2)));
            }
            all.Add(cdrs);
        }
        return all;
    }
}
