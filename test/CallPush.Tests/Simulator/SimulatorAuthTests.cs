using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Simulator;

/// <summary>The simulator authenticating to the real service as the console configures it: basicAuth or OAuth2.0.</summary>
public sealed class SimulatorAuthTests(PostgresFixture postgres)
{
    private const string ClientId = "tccc-push";
    private const string ClientSecret = "s3cr3t+with/and=symbols";

    [Fact]
    public async Task OAuth2_load_fetches_one_token_from_CallPush_and_every_push_is_accepted()
    {
        await using var app = await CallPushApp.StartAsync(postgres, new Dictionary<string, string?>
        {
            ["CallPush:Auth:Mode"] = "OAuth2",
            ["CallPush:Auth:OAuth2:ClientId"] = ClientId,
            ["CallPush:Auth:OAuth2:ClientSecret"] = ClientSecret,
        });

        var manifest = Path.Combine(Path.GetTempPath(), $"callpush-sim-{Guid.NewGuid():N}.jsonl");

        var (exitCode, output) = await SimulatorRun.RunAsync(app, "load", "--url", "http://localhost/push", "--count", "20", "--concurrency", "4",
            "--retry-delay", "0", "--auth", "oauth2", "--client-id", ClientId, "--client-secret", ClientSecret, "--manifest", manifest);
        File.Delete(manifest);

        Assert.True(exitCode == 0, output);
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM oauth_access_tokens"));
        Assert.Equal(20L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions"));
        Assert.DoesNotContain(ClientSecret, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_send_is_accepted_and_a_wrong_password_is_refused_with_4010_and_retried()
    {
        await using var app = await CallPushApp.StartAsync(postgres, new Dictionary<string, string?>
        {
            ["CallPush:Auth:Mode"] = "Basic",
            ["CallPush:Auth:Basic:Username"] = "tccc",
            ["CallPush:Auth:Basic:Password"] = "right-password",
        });

        var accepted = await SimulatorRun.RunAsync(app, "send", "--url", "http://localhost/push", "--auth", "basic", "--user", "tccc", "--password", "right-password");
        var refused = await SimulatorRun.RunAsync(app, "send", "--url", "http://localhost/push", "--auth", "basic", "--user", "tccc", "--password", "wrong-password",
            "--retry-delay", "0", "--retries", "1");

        Assert.True(accepted.ExitCode == 0, accepted.Output);
        Assert.Contains("Authorization: Basic <", accepted.Output);
        Assert.DoesNotContain("right-password", accepted.Output, StringComparison.Ordinal);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("\"ErrCode\":4010", refused.Output);
        Assert.Contains("attempt 2", refused.Output);
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM call_sessions"));
    }
}
