using CallPush.Api.Features.Retention;
using CallPush.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallPush.Tests.Retention;

public sealed class RetentionTests(PostgresFixture postgres)
{
    private static readonly Dictionary<string, string?> ThirtyDays = new()
    {
        ["CallPush:Retention:PushLogDays"] = "30",
        ["CallPush:Retention:Interval"] = "1.00:00:00",
    };

    private static string Cdr(string sessionId, long ended, string caller = "caller") => Samples.CdrWith(cdr =>
    {
        cdr["SessionId"] = sessionId;
        cdr["EndedTimestamp"] = ended;
        cdr["Caller"] = caller;
    });

    private static string RecordPush(string sessionId) => Samples.Record.Replace("e97be0ab-1ef6-4ad2-a8c4-2b2bbfb18e55", sessionId, StringComparison.Ordinal);

    private static async Task AgeAsync(CallPushApp app, TimeSpan age, params string[] dedupKeys)
    {
        foreach (var key in dedupKeys)
        {
            await app.ScalarAsync<object>("UPDATE push_log SET received_at = received_at - $2 WHERE dedup_key = $1", key, age);
        }
    }

    private static async Task<string[]> DedupKeysAsync(CallPushApp app) =>
        [.. (await app.RowsAsync("SELECT dedup_key FROM push_log ORDER BY dedup_key")).Select(r => (string)r["dedup_key"]!)];

    [Fact]
    public async Task A_purge_deletes_unreferenced_rows_past_the_age_and_keeps_what_normalized_rows_reference()
    {
        await using var app = await CallPushApp.StartAsync(postgres, ThirtyDays);
        var client = app.CreateClient();
        var (old, recent, recorded) = (Samples.NewSessionId(), Samples.NewSessionId(), Samples.NewSessionId());
        Assert.Equal(0, (await client.PushAndReadAsync("cdr", Cdr(old, 1_700_000_100), "old-superseded")).ErrCode);
        Assert.Equal(0, (await client.PushAndReadAsync("cdr", Cdr(old, 1_700_000_200), "old-winner")).ErrCode);
        Assert.Equal(0, (await client.PushAndReadAsync("record", RecordPush(recorded), "old-record")).ErrCode);
        Assert.Equal(0, (await client.PushAndReadAsync("voicemail", Samples.Voicemail, "old-voicemail")).ErrCode);
        Assert.NotEqual(0, (await client.PushAndReadAsync("cdr", "{not json", "old-rejected")).ErrCode);
        Assert.Equal(0, (await client.PushAndReadAsync("cdr", Cdr(recent, 1_700_000_100), "recent-superseded")).ErrCode);
        Assert.Equal(0, (await client.PushAndReadAsync("cdr", Cdr(recent, 1_700_000_200), "recent-winner")).ErrCode);
        await AgeAsync(app, TimeSpan.FromDays(40), "old-superseded", "old-winner", "old-record", "old-voicemail", "old-rejected");
        await AgeAsync(app, TimeSpan.FromDays(20), "recent-superseded", "recent-winner");
        var purger = app.Services.GetRequiredService<PushLogPurger>();

        var dry = await purger.TryPurgeAsync(dryRun: true, CancellationToken.None);
        var keysAfterDryRun = await DedupKeysAsync(app);
        var purge = await purger.TryPurgeAsync(dryRun: false, CancellationToken.None);
        var again = await purger.TryPurgeAsync(dryRun: false, CancellationToken.None);

        Assert.Equal(2, dry!.Purged);
        Assert.Equal(7, keysAfterDryRun.Length);
        Assert.Equal(2, purge!.Purged);
        Assert.Equal(0, again!.Purged);
        Assert.Equal(["old-record", "old-voicemail", "old-winner", "recent-superseded", "recent-winner"], await DedupKeysAsync(app));
        Assert.Equal("old-winner", await app.ScalarAsync<string>(
            "SELECT p.dedup_key FROM call_sessions s JOIN push_log p ON p.id = s.cdr_push_id WHERE s.session_id = $1", old));
    }

    [Fact]
    public async Task KeepRejected_keeps_rejected_rows_of_any_age()
    {
        await using var app = await CallPushApp.StartAsync(postgres, new Dictionary<string, string?>(ThirtyDays)
        {
            ["CallPush:Retention:KeepRejected"] = "true",
        });
        var client = app.CreateClient();
        var session = Samples.NewSessionId();
        await client.PushAndReadAsync("cdr", Cdr(session, 1_700_000_100), "superseded");
        await client.PushAndReadAsync("cdr", Cdr(session, 1_700_000_200), "winner");
        await client.PushAndReadAsync("cdr", "[]", "rejected");
        await AgeAsync(app, TimeSpan.FromDays(400), "superseded", "winner", "rejected");

        var purge = await app.Services.GetRequiredService<PushLogPurger>().TryPurgeAsync(dryRun: false, CancellationToken.None);

        Assert.Equal(1, purge!.Purged);
        Assert.Equal(["rejected", "winner"], await DedupKeysAsync(app));
    }

    [Fact]
    public async Task Nothing_is_purged_by_default()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        var client = app.CreateClient();
        var session = Samples.NewSessionId();
        await client.PushAndReadAsync("cdr", Cdr(session, 1_700_000_100), "superseded");
        await client.PushAndReadAsync("cdr", Cdr(session, 1_700_000_200), "winner");
        await client.PushAndReadAsync("cdr", "[]", "rejected");
        await AgeAsync(app, TimeSpan.FromDays(3650), "superseded", "winner", "rejected");

        var purge = await app.Services.GetRequiredService<PushLogPurger>().TryPurgeAsync(dryRun: false, CancellationToken.None);
        var (exitCode, output, error) = await ServiceCommand.RunAsync([RetentionCommand.Name, "purge"], app.ConnectionString);

        Assert.Equal(0, purge!.Purged);
        Assert.True(exitCode == 0, output + error);
        Assert.Contains("PushLogDays is not set", output, StringComparison.Ordinal);
        Assert.Equal(["rejected", "superseded", "winner"], await DedupKeysAsync(app));
    }

    [Fact]
    public async Task The_command_counts_on_a_dry_run_purges_otherwise_and_explains_bad_arguments()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        var client = app.CreateClient();
        var session = Samples.NewSessionId();
        await client.PushAndReadAsync("cdr", Cdr(session, 1_700_000_100), "superseded");
        await client.PushAndReadAsync("cdr", Cdr(session, 1_700_000_200), "winner");
        await AgeAsync(app, TimeSpan.FromDays(10), "superseded", "winner");
        var environment = new Dictionary<string, string> { ["CallPush__Retention__PushLogDays"] = "7" };

        var (dryExit, dryOutput, dryError) = await ServiceCommand.RunAsync([RetentionCommand.Name, "purge", "--dry-run"], app.ConnectionString, environment);
        var keysAfterDryRun = await DedupKeysAsync(app);
        var (exit, output, error) = await ServiceCommand.RunAsync([RetentionCommand.Name, "purge"], app.ConnectionString, environment);
        var (usageExit, _, usage) = await ServiceCommand.RunAsync([RetentionCommand.Name, "purge", "--now"], app.ConnectionString, environment);
        var (invalidExit, _, invalid) = await ServiceCommand.RunAsync([RetentionCommand.Name, "purge"], app.ConnectionString,
            new Dictionary<string, string> { ["CallPush__Retention__PushLogDays"] = "0" });

        Assert.True(dryExit == 0, dryOutput + dryError);
        Assert.Contains("Would purge 1 push_log rows", dryOutput, StringComparison.Ordinal);
        Assert.Equal(["superseded", "winner"], keysAfterDryRun);
        Assert.True(exit == 0, output + error);
        Assert.Contains("Purged 1 push_log rows", output, StringComparison.Ordinal);
        Assert.Equal(["winner"], await DedupKeysAsync(app));
        Assert.Equal(RetentionCommand.UsageExitCode, usageExit);
        Assert.Contains("retention purge [--dry-run]", usage, StringComparison.Ordinal);
        Assert.Equal(RetentionCommand.FailureExitCode, invalidExit);
        Assert.Contains("PushLogDays", invalid, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("36501")]
    [InlineData("a month")]
    public async Task A_nonsensical_age_stops_start_up(string days)
    {
        await using var app = new CallPushApp(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?> { ["CallPush:Retention:PushLogDays"] = days });

        var failure = Record.Exception(() => app.CreateClient());

        Assert.NotNull(failure);
        Assert.Contains("PushLogDays", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purging_while_real_pushes_and_re_pushes_arrive_loses_no_accepted_push_and_breaks_no_reference()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__CallPush"] = connectionString,
            ["CallPush__Retention__PushLogDays"] = "1",
            ["CallPush__Retention__Interval"] = "00:00:01",
            ["CallPush__Retention__BatchSize"] = "4",
        });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await service.WaitUntilReadyAsync(client, TimeSpan.FromSeconds(120));
        var sessions = Enumerable.Range(0, 80).Select(_ => Samples.NewSessionId()).ToList();
        for (var i = 0; i < sessions.Count; i++)
        {
            Assert.Equal(0, (await client.PushAndReadAsync("cdr", Cdr(sessions[i], 1_700_000_100), $"s{i}-v1")).ErrCode);
            Assert.Equal(0, (await client.PushAndReadAsync("cdr", Cdr(sessions[i], 1_700_000_200), $"s{i}-v2")).ErrCode);
        }
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var age = new NpgsqlCommand("UPDATE push_log SET received_at = received_at - interval '2 days'", connection);
            await age.ExecuteNonQueryAsync();
        }
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var purger = new PushLogPurger(dataSource, Options.Create(new RetentionOptions { PushLogDays = 1, BatchSize = 3 }), TimeProvider.System,
            NullLogger<PushLogPurger>.Instance);

        // Each session gets a newer CDR (its old winner becomes purgeable), and both old CDRs are pushed again, while
        // the service's own purge and this one run.
        using var stop = new CancellationTokenSource();
        var purging = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await purger.TryPurgeAsync(dryRun: false, CancellationToken.None) is null)
                {
                    await Task.Delay(20, CancellationToken.None);
                }
            }
        });
        // As many at once as a busy platform keeps open, not hundreds (that measures the machine, not the purge).
        using var connections = new SemaphoreSlim(8);
        async Task<PushReply> PushAsync(string body, string uuid)
        {
            await connections.WaitAsync();
            try
            {
                return await client.PushAndReadAsync("cdr", body, uuid);
            }
            finally
            {
                connections.Release();
            }
        }
        var replies = await Task.WhenAll(sessions.SelectMany((session, i) => new[]
        {
            PushAsync(Cdr(session, 1_700_000_300, "newest"), $"s{i}-v3"),
            PushAsync(Cdr(session, 1_700_000_200), $"s{i}-v2"),
            PushAsync(Cdr(session, 1_700_000_100), $"s{i}-v1"),
        }));
        await stop.CancelAsync();
        await purging;
        while (await purger.TryPurgeAsync(dryRun: false, CancellationToken.None) is null)
        {
            await Task.Delay(100, CancellationToken.None);
        }

        Assert.All(replies, reply => Assert.Equal(0, reply.ErrCode));
        await using var check = new CallPushApp(connectionString);
        var stored = (await check.RowsAsync("SELECT dedup_key FROM push_log WHERE received_at > now() - interval '1 day'"))
            .Select(r => (string)r["dedup_key"]!).ToHashSet();
        var answeredOk = sessions.SelectMany((_, i) => new[] { $"s{i}-v3", $"s{i}-v2", $"s{i}-v1" })
            .Zip(replies).Where(p => p.Second.ErrMsg == "ok").Select(p => p.First).ToList();
        Assert.All(answeredOk, key => Assert.Contains(key, stored));
        var winners = await check.RowsAsync("""
            SELECT s.session_id, p.dedup_key, s.caller FROM call_sessions s LEFT JOIN push_log p ON p.id = s.cdr_push_id
            """);
        Assert.Equal(sessions.Count, winners.Count);
        Assert.All(winners, w => Assert.Equal("newest", w["caller"]));
        Assert.All(winners, w => Assert.EndsWith("-v3", (string)w["dedup_key"]!, StringComparison.Ordinal));
        // Every row past the age was superseded by the newest CDRs, so the purges removed them all.
        Assert.Equal(0L, await check.ScalarAsync<long>("SELECT count(*) FROM push_log WHERE received_at < now() - interval '1 day'"));
        Assert.Equal(0L, await check.ScalarAsync<long>("""
            SELECT (SELECT count(*) FROM call_sessions s WHERE NOT EXISTS (SELECT FROM push_log p WHERE p.id = s.cdr_push_id))
                 + (SELECT count(*) FROM recordings r WHERE NOT EXISTS (SELECT FROM push_log p WHERE p.id = r.push_id))
            """));
        Assert.DoesNotContain("purge round of push_log failed", service.Text, StringComparison.Ordinal);
    }
}
