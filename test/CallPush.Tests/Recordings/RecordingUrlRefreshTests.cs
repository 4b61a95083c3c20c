using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using CallPush.Tests.Infrastructure;
using CallPush.Tests.Reconciliation;
using Microsoft.Extensions.DependencyInjection;

namespace CallPush.Tests.Recordings;

public sealed class RecordingUrlRefreshTests(PostgresFixture postgres) : ArchiveTest(postgres)
{
    private CloudApiStandIn _api = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _api = await CloudApiStandIn.StartAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await base.DisposeAsync();
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>A COS-style signed URL of the test source, valid from <paramref name="from"/> to <paramref name="to"/>.</summary>
    private string Signed(string path, long from, long to, string signature) =>
        Source.Url($"{path}?q-sign-algorithm=sha1&q-ak=AKIDrecording&q-sign-time={from}%3B{to}&q-key-time={from}%3B{to}&q-signature={signature}");

    /// <summary>The archive's settings, with source "main" reading the stand-in for <paramref name="sdkAppId"/>.</summary>
    private Dictionary<string, string?> SettingsWithSource(long sdkAppId = SdkAppId, params (string Key, string Value)[] changes)
    {
        var settings = Settings(changes);
        foreach (var (key, value) in _api.SourceSettings("main", sdkAppId))
        {
            settings[key] = value;
        }
        settings["CallPush:Reconciliation:Schedule"] = "false";
        settings["CallPush:Reconciliation:RetryDelay"] = "00:00:00.050";
        return settings;
    }

    private static Task<string?> LastErrorAsync(CallPushApp app) => app.ScalarAsync<string>("SELECT last_error FROM recording_files");

    private static async Task<(string Status, string? LastError)> StatusAsync(CallPushApp app)
    {
        var row = Assert.Single(await app.RowsAsync("SELECT status, last_error FROM recording_files"));
        return ((string)row["status"]!, (string?)row["last_error"]);
    }

    [Fact]
    public async Task An_expired_signed_url_is_refreshed_at_once_and_the_file_archived_with_the_pushed_url_kept()
    {
        var bytes = Mp3Bytes.Cbr(40);
        var session = Samples.NewSessionId();
        var pushed = Signed("/rec/expired.mp3", Now - 7200, Now - 3600, "pushed-signature-secret");
        var fresh = Signed("/rec/fresh.mp3", Now, Now + 86400, "fresh-signature-secret");
        Source.Serve("/rec/fresh.mp3", bytes);
        _api.AddSession(SdkAppId, session, Now - 600, fresh);
        var logs = new CapturedLogs();
        await using var app = await CallPushApp.StartAsync(Postgres, SettingsWithSource(), logs);
        var refreshed = new ConcurrentQueue<long>();
        using var meters = ListenForRefreshes(app, refreshed);
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record", RecordPush(session, pushed, timestamp: Now - 300), "p1");
        await WaitUntilSettledAsync(app);

        var row = Assert.Single(await app.RowsAsync("SELECT id, status, source_url, storage_key, last_error FROM recording_files"));
        Assert.Equal(("archived", pushed), ((string)row["status"]!, (string)row["source_url"]!));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(StoredFile((string)row["storage_key"]!)));
        Assert.EndsWith("/record_r1_zhangsan@tencent.com.mp3", (string)row["storage_key"]!);
        Assert.Equal(0, Source.Requests("/rec/expired.mp3"));
        Assert.Equal(1, Source.Requests("/rec/fresh.mp3"));
        var refresh = Assert.Single(await app.RowsAsync("SELECT * FROM recording_url_refreshes"));
        Assert.Equal((row["id"], pushed, fresh), (refresh["recording_file_id"], (string)refresh["source_url"]!, (string)refresh["refreshed_url"]!));
        Assert.NotNull(refresh["request_id"]);
        var request = Assert.Single(_api.SessionDetailRequests);
        Assert.Equal(["SdkAppId", "SessionId", "StartTimestamp", "EndTimestamp"], request.Select(m => m.Key));
        Assert.Equal((SdkAppId, session), ((long)request["SdkAppId"]!, (string)request["SessionId"]!));
        Assert.InRange(Now - 600, (long)request["StartTimestamp"]!, (long)request["EndTimestamp"]!);
        Assert.Equal([1L], refreshed);
        var line = Assert.Single(logs.Lines, l => l.Contains("fresh URL", StringComparison.Ordinal));
        Assert.Contains("the URL's signature has expired", line);
        Assert.Contains(session, line);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("signature-secret", StringComparison.Ordinal)
            || l.Contains(CloudApiStandIn.SecretKey, StringComparison.Ordinal) || l.Contains("q-sign-time", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_url_forbidden_past_the_retry_window_is_refreshed_once_and_a_fresh_url_that_fails_at_first_is_retried_and_archived()
    {
        var bytes = Mp3Bytes.Cbr(30);
        var session = Samples.NewSessionId();
        Source.Handle("/rec/forbidden.mp3", (context, _) => { context.Response.StatusCode = 403; return Task.CompletedTask; });
        Source.FailThenServe("/rec/fresh.mp3", 503, times: 2, bytes);
        _api.AddSession(SdkAppId, session, Now - 600, Source.Url("/rec/fresh.mp3?sign=fresh"));
        await using var app = await CallPushApp.StartAsync(Postgres, SettingsWithSource(changes: ("NotFoundRetryWindow", "00:00:01")));
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/rec/forbidden.mp3?sign=pushed"), timestamp: Now - 300), "p1");
        await WaitUntilSettledAsync(app);

        Assert.Equal(("archived", null), await StatusAsync(app));
        Assert.True(Source.Requests("/rec/forbidden.mp3") >= 2, "the pushed URL is retried within the window first");
        Assert.Equal(3, Source.Requests("/rec/fresh.mp3"));
        Assert.Single(_api.SessionDetailRequests);
    }

    [Fact]
    public async Task A_fresh_url_that_is_forbidden_too_fails_the_file_with_both_reasons_after_one_refresh()
    {
        var session = Samples.NewSessionId();
        Source.Handle("/rec/gone.mp3", (context, _) => { context.Response.StatusCode = 404; return Task.CompletedTask; });
        _api.AddSession(SdkAppId, session, Now - 600, Source.Url("/rec/also-gone.mp3?sign=fresh"));
        await using var app = await CallPushApp.StartAsync(Postgres, SettingsWithSource(changes: ("NotFoundRetryWindow", "00:00:01")));
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/rec/gone.mp3"), timestamp: Now - 300), "p1");
        await WaitUntilSettledAsync(app);

        Assert.Equal("failed", await app.ScalarAsync<string>("SELECT status FROM recording_files"));
        Assert.Equal("HTTP 404 from 127.0.0.1 for longer than CallPush__Recordings__NotFoundRetryWindow; the fresh URL failed too: HTTP 404 from 127.0.0.1",
            await LastErrorAsync(app));
        Assert.Equal(1, Source.Requests("/rec/also-gone.mp3"));
        Assert.Single(_api.SessionDetailRequests);
    }

    [Fact]
    public async Task Without_api_credentials_for_the_sdk_app_id_a_forbidden_url_fails_as_before_and_the_api_is_not_asked()
    {
        var session = Samples.NewSessionId();
        Source.Handle("/rec/forbidden.mp3", (context, _) => { context.Response.StatusCode = 403; return Task.CompletedTask; });
        _api.AddSession(SdkAppId, session, Now - 600, Source.Url("/rec/fresh.mp3"));
        await using var app = await CallPushApp.StartAsync(Postgres,
            SettingsWithSource(sdkAppId: 1400000001, ("NotFoundRetryWindow", "00:00:01")));
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record",
            RecordPush(session, Signed("/rec/forbidden.mp3", Now - 7200, Now - 3600, "secret"), timestamp: Now - 300), "p1");
        await WaitUntilSettledAsync(app);

        Assert.Equal("failed", await app.ScalarAsync<string>("SELECT status FROM recording_files"));
        Assert.Equal("HTTP 403 from 127.0.0.1 for longer than CallPush__Recordings__NotFoundRetryWindow", await LastErrorAsync(app));
        Assert.Empty(_api.SessionDetailRequests);
        Assert.Equal(0, Source.Requests("/rec/fresh.mp3"));
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM recording_url_refreshes"));
    }

    [Fact]
    public async Task With_a_cdr_the_window_is_a_day_around_the_session_and_only_the_recording_its_record_id_names_is_refreshed()
    {
        var bytes = Mp3Bytes.Cbr(20);
        var session = Samples.NewSessionId();
        var started = Now - 900;
        Source.Serve("/rec/fresh.mp3", bytes);
        Source.Handle("/rec/other.mp3", (context, _) => { context.Response.StatusCode = 403; return Task.CompletedTask; });
        _api.AddSession(SdkAppId, session, started, Source.Url("/rec/fresh.mp3"));
        await using var app = await CallPushApp.StartAsync(Postgres, SettingsWithSource(changes: ("NotFoundRetryWindow", "00:00:01")));
        using var client = app.CreateClient();

        await client.PushAndReadAsync("cdr", Samples.CdrWith(cdr =>
        {
            cdr["SessionId"] = session;
            cdr["RecordId"] = "main-record";
            cdr["StartTimestamp"] = started;
            cdr["RingTimestamp"] = started + 4;
            cdr["EndedTimestamp"] = started + 60;
        }), "cdr");
        await client.PushAndReadAsync("record",
            RecordPush(session, Signed("/rec/expired.mp3", Now - 7200, Now - 3600, "secret"), recordId: "main-record", timestamp: started + 61), "p1");
        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/rec/other.mp3"), recordId: "transfer-leg", timestamp: started + 61), "p2");
        await WaitUntilSettledAsync(app);

        var rows = (await app.RowsAsync("SELECT record_id, status, last_error FROM recording_files")).ToDictionary(r => (string)r["record_id"]!);
        Assert.Equal("archived", rows["main-record"]["status"]);
        Assert.Equal(("failed", "HTTP 403 from 127.0.0.1 for longer than CallPush__Recordings__NotFoundRetryWindow"),
            ((string)rows["transfer-leg"]["status"]!, (string)rows["transfer-leg"]["last_error"]!));
        var request = Assert.Single(_api.SessionDetailRequests);
        Assert.Equal(started - 86400, (long)request["StartTimestamp"]!);
        Assert.InRange((long)request["EndTimestamp"]!, Now - 60, Now);
    }

    [Fact]
    public async Task A_session_the_api_does_not_know_fails_the_file_with_the_apis_error()
    {
        await using var app = await CallPushApp.StartAsync(Postgres, SettingsWithSource());
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record",
            RecordPush(Samples.NewSessionId(), Signed("/rec/expired.mp3", Now - 7200, Now - 3600, "secret"), timestamp: Now - 300), "p1");
        await WaitUntilSettledAsync(app);

        Assert.Equal("failed", await app.ScalarAsync<string>("SELECT status FROM recording_files"));
        Assert.StartsWith("the URL's signature has expired; no fresh URL: DescribeSessionDetail: FailedOperation.SessionNotExists: ",
            await LastErrorAsync(app));
        Assert.Contains("(RequestId ", await LastErrorAsync(app));
        Assert.Equal(0, Source.Requests("/rec/expired.mp3"));
    }

    [Fact]
    public async Task A_session_older_than_the_api_reaches_back_is_not_asked_for_and_fails_saying_so()
    {
        var session = Samples.NewSessionId();
        var longAgo = Now - 200 * 86400L;
        _api.AddSession(SdkAppId, session, longAgo, Source.Url("/rec/fresh.mp3"));
        await using var app = await CallPushApp.StartAsync(Postgres, SettingsWithSource());
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record",
            RecordPush(session, Signed("/rec/expired.mp3", longAgo, longAgo + 86400, "secret"), timestamp: longAgo + 60), "p1");
        await WaitUntilSettledAsync(app);

        Assert.Equal("failed", await app.ScalarAsync<string>("SELECT status FROM recording_files"));
        Assert.Equal("the URL's signature has expired; no fresh URL: DescribeSessionDetail reaches back 180 days, and the session is older",
            await LastErrorAsync(app));
        Assert.Empty(_api.SessionDetailRequests);
        Assert.Empty(_api.ErrorsAnswered);
    }

    [Fact]
    public async Task A_session_without_a_recording_fails_the_file_saying_so()
    {
        var session = Samples.NewSessionId();
        _api.AddSession(SdkAppId, session, Now - 600, recordUrl: null);
        await using var app = await CallPushApp.StartAsync(Postgres, SettingsWithSource());
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record",
            RecordPush(session, Signed("/rec/expired.mp3", Now - 7200, Now - 3600, "secret"), timestamp: Now - 300), "p1");
        await WaitUntilSettledAsync(app);

        Assert.Equal("failed", await app.ScalarAsync<string>("SELECT status FROM recording_files"));
        Assert.StartsWith("the URL's signature has expired; no fresh URL: DescribeSessionDetail has no RecordURL for the session",
            await LastErrorAsync(app));
    }

    [Fact]
    public async Task Refused_credentials_fail_the_file_with_the_code_and_log_an_error_without_the_secret()
    {
        var session = Samples.NewSessionId();
        _api.AddSession(SdkAppId, session, Now - 600, Source.Url("/rec/fresh.mp3"));
        var settings = SettingsWithSource();
        settings["CallPush:Sources:main:CloudApi:SecretKey"] = "not-the-secret-key";
        var logs = new CapturedLogs();
        await using var app = await CallPushApp.StartAsync(Postgres, settings, logs);
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record",
            RecordPush(session, Signed("/rec/expired.mp3", Now - 7200, Now - 3600, "secret"), timestamp: Now - 300), "p1");
        await WaitUntilSettledAsync(app);

        Assert.Equal("failed", await app.ScalarAsync<string>("SELECT status FROM recording_files"));
        Assert.StartsWith("the URL's signature has expired; no fresh URL: DescribeSessionDetail refused source 'main''s credentials: AuthFailure.SignatureFailure: ",
            await LastErrorAsync(app));
        Assert.Equal(["AuthFailure.SignatureFailure"], _api.ErrorsAnswered);
        Assert.Contains(logs.Lines, l => l.StartsWith("Error: DescribeSessionDetail refused source main's credentials (AuthFailure.SignatureFailure", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("not-the-secret-key", StringComparison.Ordinal));
        Assert.Equal(0, Source.Requests("/rec/fresh.mp3"));
    }

    [Fact]
    public async Task Rate_limit_and_internal_errors_of_the_api_are_backed_off_and_the_refresh_then_succeeds()
    {
        var bytes = Mp3Bytes.Cbr(10);
        var session = Samples.NewSessionId();
        Source.Serve("/rec/fresh.mp3", bytes);
        _api.AddSession(SdkAppId, session, Now - 600, Source.Url("/rec/fresh.mp3"));
        _api.FailNext("RequestLimitExceeded", "InternalError");
        await using var app = await CallPushApp.StartAsync(Postgres, SettingsWithSource());
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record",
            RecordPush(session, Signed("/rec/expired.mp3", Now - 7200, Now - 3600, "secret"), timestamp: Now - 300), "p1");
        await WaitUntilSettledAsync(app);

        Assert.Equal("archived", await app.ScalarAsync<string>("SELECT status FROM recording_files"));
        Assert.Equal(["RequestLimitExceeded", "InternalError"], _api.ErrorsAnswered);
        Assert.Single(_api.SessionDetailRequests);
    }

    private static MeterListener ListenForRefreshes(CallPushApp app, ConcurrentQueue<long> values)
    {
        var scope = app.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "callpush.recordings.urls.refreshed" && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => values.Enqueue(value));
        listener.Start();
        return listener;
    }
}
