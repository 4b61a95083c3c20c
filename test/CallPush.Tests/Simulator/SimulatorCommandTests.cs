using CallPush.Simulator.Manifest;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Simulator;

/// <summary>send, load and verify as an integrator runs them, against the real service on its own database.</summary>
public sealed class SimulatorCommandTests(PostgresFixture postgres) : IAsyncLifetime
{
    private CallPushApp _app = null!;
    private readonly string _folder = Directory.CreateTempSubdirectory("callpush-sim-").FullName;

    public async ValueTask InitializeAsync() => _app = await CallPushApp.StartAsync(postgres);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private Task<(int ExitCode, string Output)> RunAsync(params string[] args) => SimulatorRun.RunAsync(_app, args);

    [Fact]
    public async Task Send_prints_each_request_and_answer_and_the_session_is_stored()
    {
        var manifest = Path.Combine(_folder, "send.jsonl");

        var (exitCode, output) = await RunAsync("send", "--url", "http://localhost/push", "--seed", "3", "--manifest", manifest);

        Assert.True(exitCode == 0, output);
        Assert.Contains("POST http://localhost/push?action=cdr&version=1", output);
        Assert.Contains("X-TCCC-PUSH-UUID: ", output);
        Assert.Contains("\"ServeParticipants\": [", output);
        Assert.Contains("{\"ErrCode\":0,\"ErrMsg\":\"ok\"}", output);
        var session = Assert.Single(await ManifestReader.ReadAsync(manifest));
        Assert.Equal(session.SessionId, await _app.ScalarAsync<string>("SELECT session_id FROM call_sessions"));
        Assert.Equal((long)session.Pushes.Count, await _app.ScalarAsync<long>("SELECT count(*) FROM push_log WHERE status = 'accepted'"));
        Assert.Equal(0, (await RunAsync("verify", "--manifest", manifest, "--connection", _app.ConnectionString)).ExitCode);
    }

    [Fact]
    public async Task Load_with_faults_then_verify_finds_every_session_exactly_once()
    {
        var manifest = Path.Combine(_folder, "load.jsonl");

        var (exitCode, output) = await RunAsync("load", "--url", "http://localhost/push", "--count", "80", "--concurrency", "8",
            "--duplicates", "0.15", "--records-first", "0.3", "--cdr-repushes", "0.3", "--retry-delay", "0", "--seed", "11",
            "--manifest", manifest);

        Assert.True(exitCode == 0, output);
        Assert.Contains("pushes acknowledged", output);
        Assert.Contains("latency p50 / p95 / p99", output);
        var sessions = await ManifestReader.ReadAsync(manifest);
        Assert.Equal(80, sessions.Count);
        Assert.Contains(sessions, s => s.Pushes.Any(p => p.Deliveries == 2));
        Assert.Contains(sessions, s => s.Pushes.Count(p => p.Action == "cdr") == 2);
        var distinctPushes = sessions.Sum(s => s.Pushes.Count);
        Assert.Equal((long)distinctPushes, await _app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
        Assert.Equal(80L, await _app.ScalarAsync<long>("SELECT count(*) FROM call_sessions"));

        var verify = await RunAsync("verify", "--manifest", manifest, "--connection", _app.ConnectionString);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("Verified", verify.Output);
    }

    [Fact]
    public async Task Load_at_a_rate_starts_sessions_on_schedule_for_the_duration()
    {
        var manifest = Path.Combine(_folder, "rate.jsonl");

        var (exitCode, output) = await RunAsync("load", "--url", "http://localhost/push", "--rate", "40", "--duration", "1s",
            "--retry-delay", "0", "--manifest", manifest);

        Assert.True(exitCode == 0, output);
        Assert.InRange((await ManifestReader.ReadAsync(manifest)).Count, 30, 45);
        Assert.Contains("(40 sessions/s, for 1 s", output);
    }

    [Fact]
    public async Task Verify_reports_a_lost_recording_and_a_missing_session()
    {
        var manifest = Path.Combine(_folder, "lost.jsonl");
        Assert.Equal(0, (await RunAsync("load", "--url", "http://localhost/push", "--count", "30", "--concurrency", "4",
            "--retry-delay", "0", "--seed", "5", "--manifest", manifest)).ExitCode);
        var sessions = await ManifestReader.ReadAsync(manifest);
        var recorded = sessions.First(s => s.Recordings > 0);
        var other = sessions.First(s => s.SessionId != recorded.SessionId && s.Recordings == 0 && s.Voicemails == 0);
        await _app.ScalarAsync<int>("DELETE FROM recordings WHERE session_id = $1 AND ctid = (SELECT min(ctid) FROM recordings WHERE session_id = $1)", recorded.SessionId);
        await _app.ScalarAsync<int>("DELETE FROM call_sessions WHERE session_id = $1", other.SessionId);

        var (exitCode, output) = await RunAsync("verify", "--manifest", manifest, "--connection", _app.ConnectionString);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{recorded.SessionId} | lost", output.Replace("│", "|", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains(other.SessionId, output);
        Assert.Contains("2 loss(es), 0 duplicate(s)", output);
    }

    [Fact]
    public async Task Load_without_a_required_option_fails_naming_it()
    {
        var (exitCode, output) = await RunAsync("load", "--url", "http://localhost/push", "--auth", "basic", "--user", "tccc");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--auth basic needs --user and --password", output);
        Assert.Equal(0L, await _app.ScalarAsync<long>("SELECT count(*) FROM push_log"));
    }
}
