using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Recordings;

public sealed class RecordingSsrfTests(PostgresFixture postgres) : ArchiveTest(postgres)
{
    [Fact]
    public async Task Urls_off_the_allowlist_or_on_internal_addresses_fail_with_the_reason_and_are_never_requested()
    {
        Source.Serve("/a.mp3", Mp3Bytes.Cbr(10));
        // The allowlist names the internal addresses too, so that the address check is what refuses them.
        await using var app = await CallPushApp.StartAsync(Postgres, Settings(
            ("AllowPrivateAddresses", "false"),
            ("AllowedHosts", "127.0.0.1,localhost,10.1.2.3,169.254.169.254,*.example.com")));
        using var client = app.CreateClient();
        var session = Samples.NewSessionId();
        var urls = new Dictionary<string, string>
        {
            ["other-host"] = "http://attacker.example.org/a.mp3",
            ["bare-suffix"] = "http://example.com/a.mp3",
            ["private"] = "http://10.1.2.3/a.mp3",
            ["metadata"] = "http://169.254.169.254/latest/meta-data/",
            ["loopback-literal"] = Source.Url("/a.mp3"),
            ["loopback-name"] = $"http://localhost:{Source.Port}/a.mp3",
            ["ftp"] = $"ftp://127.0.0.1:{Source.Port}/a.mp3",
            ["not-a-url"] = "recording a.mp3",
        };

        foreach (var (name, url) in urls)
        {
            await client.PushAndReadAsync("record", RecordPush(session, url, recordId: name), "push-" + name);
        }
        await WaitUntilAsync(app, "SELECT count(*) = $1 AND bool_and(status = 'failed') FROM recording_files", null, (long)urls.Count);

        var errors = (await app.RowsAsync("SELECT record_id, last_error, attempts FROM recording_files"))
            .ToDictionary(r => (string)r["record_id"]!, r => (string)r["last_error"]!);
        Assert.Equal("host 'attacker.example.org' is not in CallPush__Recordings__AllowedHosts", errors["other-host"]);
        Assert.Equal("host 'example.com' is not in CallPush__Recordings__AllowedHosts", errors["bare-suffix"]);
        Assert.Equal("address 10.1.2.3 is internal", errors["private"]);
        Assert.Equal("address 169.254.169.254 is internal", errors["metadata"]);
        Assert.Equal("address 127.0.0.1 is internal", errors["loopback-literal"]);
        Assert.StartsWith("host 'localhost' resolves only to internal addresses", errors["loopback-name"]);
        Assert.Equal("scheme 'ftp' is not http or https", errors["ftp"]);
        Assert.Equal("not an absolute URL", errors["not-a-url"]);
        Assert.Equal(0, Source.Requests("/a.mp3"));
    }

    [Fact]
    public async Task A_redirect_off_the_allowlist_is_not_followed()
    {
        Source.Handle("/start.mp3", (context, _) =>
        {
            context.Response.Redirect($"http://localhost:{Source.Port}/target.mp3");
            return Task.CompletedTask;
        });
        Source.Serve("/target.mp3", Mp3Bytes.Cbr(10));
        await using var app = await CallPushApp.StartAsync(Postgres, Settings(("AllowedHosts", "127.0.0.1")));
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record", RecordPush(Samples.NewSessionId(), Source.Url("/start.mp3")), "redirected");
        await WaitUntilSettledAsync(app);

        var row = Assert.Single(await app.RowsAsync("SELECT status, last_error FROM recording_files"));
        Assert.Equal(("failed", "redirected: host 'localhost' is not in CallPush__Recordings__AllowedHosts"), ((string)row["status"]!, (string)row["last_error"]!));
        Assert.Equal((1, 0), (Source.Requests("/start.mp3"), Source.Requests("/target.mp3")));
    }
}
