using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Recordings;

public sealed class RecordingArchiveTests(PostgresFixture postgres) : ArchiveTest(postgres)
{
    [Fact]
    public async Task A_record_pushed_after_its_cdr_is_archived_with_its_bytes_hash_and_duration()
    {
        var bytes = Mp3Bytes.Cbr(frames: 200, id3: true);
        Source.Serve("/rec/a.mp3", bytes, "application/octet-stream");
        await using var app = await CallPushApp.StartAsync(Postgres, Settings());
        using var client = app.CreateClient();
        var sessionId = Samples.NewSessionId();

        await client.PushAndReadAsync("cdr", Samples.CdrWith(cdr => cdr["SessionId"] = sessionId), "cdr-1");
        var reply = await client.PushAndReadAsync("record", RecordPush(sessionId, Source.Url("/rec/a.mp3?sign=secret")), "record-1");
        await WaitUntilSettledAsync(app);

        Assert.Equal(0, reply.ErrCode);
        var row = Assert.Single(await app.RowsAsync("SELECT * FROM recording_files"));
        Assert.Equal("archived", row["status"]);
        Assert.Equal("record", row["kind"]);
        Assert.Equal("r1|zhangsan@tencent.com", row["recording_key"]);
        Assert.Equal((long)bytes.Length, row["size_bytes"]);
        Assert.Equal(Sha256Of(bytes), row["sha256"]);
        Assert.Equal("audio/mpeg", row["content_type"]);
        Assert.Equal(200 * Mp3Bytes.FrameSeconds, (double)row["duration_seconds"]!, 2);
        Assert.Null(row["last_error"]);
        Assert.NotNull(row["archived_at"]);
        Assert.Equal($"{SdkAppId}/2023/02/23/{sessionId}/record_r1_zhangsan@tencent.com.mp3", row["storage_key"]);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(StoredFile((string)row["storage_key"]!)));
        Assert.Equal(1, Source.Requests("/rec/a.mp3"));
    }

    [Fact]
    public async Task Recordings_and_a_voicemail_pushed_before_their_cdr_are_archived_and_the_cdr_adds_no_second_voicemail()
    {
        var record = Mp3Bytes.Cbr(50, seed: 2);
        var custom = Mp3Bytes.Cbr(60, seed: 3);
        var voicemail = Mp3Bytes.Cbr(70, seed: 4);
        Source.Serve("/r.mp3", record);
        Source.Serve("/custom.wav", custom, "audio/wav");
        Source.Serve("/vm.mp3", voicemail);
        await using var app = await CallPushApp.StartAsync(Postgres, Settings());
        using var client = app.CreateClient();
        var sessionId = Samples.NewSessionId();

        await client.PushAndReadAsync("record", RecordPush(sessionId, Source.Url("/r.mp3"), Source.Url("/custom.wav")), "record-1");
        await client.PushAndReadAsync("voicemail", VoicemailPush(sessionId, Source.Url("/vm.mp3")), "voicemail-1");
        await client.PushAndReadAsync("cdr", Samples.CdrWith(cdr =>
        {
            cdr["SessionId"] = sessionId;
            cdr["VoicemailRecordURL"] = Source.Url("/vm.mp3");
        }), "cdr-1");
        await WaitUntilAsync(app, "SELECT count(*) = 3 AND bool_and(status = 'archived') FROM recording_files");

        var rows = (await app.RowsAsync("SELECT kind, sha256, content_type, storage_key FROM recording_files ORDER BY kind"))
            .ToDictionary(r => (string)r["kind"]!);
        Assert.Equal(["record", "record_custom", "voicemail"], rows.Keys.Order());
        Assert.Equal(Sha256Of(record), rows["record"]["sha256"]);
        Assert.Equal(Sha256Of(custom), rows["record_custom"]["sha256"]);
        Assert.Equal("audio/wav", rows["record_custom"]["content_type"]);
        Assert.EndsWith("/record_custom_r1_zhangsan@tencent.com.wav", (string)rows["record_custom"]["storage_key"]!);
        Assert.EndsWith($"/{sessionId}/voicemail.mp3", (string)rows["voicemail"]["storage_key"]!);
        Assert.Equal(voicemail, await File.ReadAllBytesAsync(StoredFile((string)rows["voicemail"]["storage_key"]!)));
        Assert.Equal([1, 1, 1], new[] { Source.Requests("/r.mp3"), Source.Requests("/custom.wav"), Source.Requests("/vm.mp3") });
    }

    [Fact]
    public async Task A_re_push_of_the_same_url_does_not_enqueue_it_again_and_a_new_url_replaces_a_failed_or_pending_one()
    {
        var bytes = Mp3Bytes.Cbr(20);
        Source.Serve("/same.mp3", bytes);
        Source.Handle("/gone.mp3", (context, _) => { context.Response.StatusCode = 410; return Task.CompletedTask; });
        Source.Handle("/busy.mp3", (context, _) => { context.Response.StatusCode = 503; return Task.CompletedTask; });
        Source.Serve("/new1.mp3", Mp3Bytes.Cbr(21, seed: 5));
        Source.Serve("/new2.mp3", Mp3Bytes.Cbr(22, seed: 6));
        await using var app = await CallPushApp.StartAsync(Postgres, Settings(("RetryDelay", "00:01:00")));
        using var client = app.CreateClient();
        var session = Samples.NewSessionId();

        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/same.mp3"), recordId: "same"), "p1");
        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/gone.mp3"), recordId: "failed"), "p2");
        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/busy.mp3"), recordId: "pending"), "p3");
        await WaitUntilAsync(app, "SELECT count(*) = 3 AND bool_and(status = 'archived' OR last_error IS NOT NULL) FROM recording_files");
        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/same.mp3"), recordId: "same"), "p1-again-new-uuid");
        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/new1.mp3"), recordId: "failed"), "p4");
        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/new2.mp3"), recordId: "pending"), "p5");
        await WaitUntilSettledAsync(app);

        var rows = (await app.RowsAsync("SELECT record_id, source_url, status, attempts FROM recording_files")).ToDictionary(r => (string)r["record_id"]!);
        Assert.Equal(3, rows.Count);
        Assert.Equal(("archived", 1), ((string)rows["same"]["status"]!, (int)rows["same"]["attempts"]!));
        Assert.Equal(1, Source.Requests("/same.mp3"));
        Assert.Equal(("archived", Source.Url("/new1.mp3")), ((string)rows["failed"]["status"]!, (string)rows["failed"]["source_url"]!));
        Assert.Equal(("archived", Source.Url("/new2.mp3")), ((string)rows["pending"]["status"]!, (string)rows["pending"]["source_url"]!));
        Assert.Equal(1, Source.Requests("/gone.mp3"));
    }

    [Fact]
    public async Task Transient_answers_are_retried_until_the_file_comes_and_a_partial_body_is_never_archived()
    {
        var files = Enumerable.Range(0, 6).Select(i => Mp3Bytes.Cbr(30 + i, seed: 10 + i)).ToArray();
        Source.FailThenServe("/503.mp3", 503, times: 3, files[0], retryAfter: "1");
        Source.FailThenServe("/404.mp3", 404, times: 3, files[1]);
        Source.Handle("/reset.mp3", (context, n) => n == 1 ? RecordingSource.DropMidBodyAsync(context, files[2]) : RecordingSource.WriteAsync(context, files[2], "audio/mpeg"));
        Source.Handle("/short.mp3", (context, n) => n == 1 ? RecordingSource.ShortBodyAsync(context, files[3]) : RecordingSource.WriteAsync(context, files[3], "audio/mpeg"));
        Source.Trickle("/slow.mp3", files[4], chunks: 8, pause: TimeSpan.FromMilliseconds(250));
        Source.Handle("/moved.mp3", (context, _) => { context.Response.Redirect("/moved/here.mp3"); return Task.CompletedTask; });
        Source.Serve("/moved/here.mp3", files[5]);
        await using var app = await CallPushApp.StartAsync(Postgres, Settings());
        using var client = app.CreateClient();
        var session = Samples.NewSessionId();
        string[] paths = ["/503.mp3", "/404.mp3", "/reset.mp3", "/short.mp3", "/slow.mp3", "/moved.mp3"];

        for (var i = 0; i < paths.Length; i++)
        {
            await client.PushAndReadAsync("record", RecordPush(session, Source.Url(paths[i]), recordId: "r" + i), "push-" + i);
        }
        await WaitUntilSettledAsync(app, TimeSpan.FromSeconds(60));

        var rows = (await app.RowsAsync("SELECT record_id, status, sha256, attempts, storage_key FROM recording_files")).ToDictionary(r => (string)r["record_id"]!);
        for (var i = 0; i < paths.Length; i++)
        {
            var row = rows["r" + i];
            Assert.Equal("archived", row["status"]);
            Assert.Equal(Sha256Of(files[i]), row["sha256"]);
            Assert.Equal(files[i], await File.ReadAllBytesAsync(StoredFile((string)row["storage_key"]!)));
        }
        Assert.True((int)rows["r0"]["attempts"]! >= 2, "the 503s were retried through the queue");
        // Two requests per attempt (one quick retry inside the request); the queue's own delay is about 0.2 s here.
        var times = Source.RequestTimes("/503.mp3");
        Assert.True(times[2] - times[1] >= TimeSpan.FromSeconds(0.9), $"Retry-After: 1 was not honoured ({(times[2] - times[1]).TotalSeconds} s)");
        Assert.Equal(4, Source.Requests("/404.mp3"));
        Assert.Equal(2, Source.Requests("/reset.mp3"));
        Assert.Equal(2, Source.Requests("/short.mp3"));
        Assert.Equal((1, 1), (Source.Requests("/moved.mp3"), Source.Requests("/moved/here.mp3")));
        Assert.Equal(6, FilesInStorage().Count());
    }

    [Fact]
    public async Task A_body_shorter_than_its_content_length_stays_pending_with_the_reason_and_nothing_is_stored()
    {
        var bytes = Mp3Bytes.Cbr(40);
        Source.Handle("/short.mp3", (context, _) => RecordingSource.ShortBodyAsync(context, bytes));
        await using var app = await CallPushApp.StartAsync(Postgres, Settings());
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record", RecordPush(Samples.NewSessionId(), Source.Url("/short.mp3")), "short");
        await WaitUntilAsync(app, "SELECT attempts >= 2 FROM recording_files");

        var row = Assert.Single(await app.RowsAsync("SELECT status, last_error, storage_key FROM recording_files"));
        Assert.Equal("pending", row["status"]);
        Assert.Contains($"of its {bytes.Length + 1000} bytes", (string)row["last_error"]!);
        Assert.Null(row["storage_key"]);
        Assert.Empty(FilesInStorage());
    }

    [Fact]
    public async Task Not_found_after_the_retry_window_and_other_client_errors_fail_with_the_reason()
    {
        Source.Handle("/403.mp3", (context, _) => { context.Response.StatusCode = 403; return Task.CompletedTask; });
        Source.Handle("/400.mp3", (context, _) => { context.Response.StatusCode = 400; return Task.CompletedTask; });
        await using var app = await CallPushApp.StartAsync(Postgres, Settings(("NotFoundRetryWindow", "00:00:04")));
        using var client = app.CreateClient();
        var session = Samples.NewSessionId();

        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/403.mp3"), recordId: "forbidden"), "p1");
        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/400.mp3"), recordId: "bad"), "p2");
        await WaitUntilSettledAsync(app);

        var rows = (await app.RowsAsync("SELECT record_id, status, last_error FROM recording_files")).ToDictionary(r => (string)r["record_id"]!);
        Assert.Equal("failed", rows["forbidden"]["status"]);
        Assert.StartsWith("HTTP 403 from 127.0.0.1", (string)rows["forbidden"]["last_error"]!);
        Assert.True(Source.Requests("/403.mp3") >= 2, "a 403 is retried within the window");
        Assert.Equal(("failed", "HTTP 400 from 127.0.0.1"), ((string)rows["bad"]["status"]!, (string)rows["bad"]["last_error"]!));
        Assert.Equal(1, Source.Requests("/400.mp3"));
    }

    [Fact]
    public async Task A_file_that_cannot_be_fetched_within_the_maximum_age_fails_with_the_last_reason()
    {
        Source.Handle("/down.mp3", (context, _) => { context.Response.StatusCode = 502; return Task.CompletedTask; });
        await using var app = await CallPushApp.StartAsync(Postgres, Settings(("MaxAge", "00:00:02")));
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record", RecordPush(Samples.NewSessionId(), Source.Url("/down.mp3")), "p1");
        await WaitUntilSettledAsync(app);

        var row = Assert.Single(await app.RowsAsync("SELECT status, last_error FROM recording_files"));
        Assert.Equal("failed", row["status"]);
        Assert.Equal("not archived within CallPush__Recordings__MaxAge: HTTP 502 from 127.0.0.1", row["last_error"]);
    }

    [Fact]
    public async Task A_download_that_outlasts_the_resilience_handlers_request_timeouts_is_not_cut_off()
    {
        // The standard handler limits an attempt to 10 s and a request to 30 s: up to the response headers only.
        var bytes = Mp3Bytes.Cbr(100);
        Source.Trickle("/slow.mp3", bytes, chunks: 6, pause: TimeSpan.FromSeconds(2.2));
        await using var app = await CallPushApp.StartAsync(Postgres, Settings());
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record", RecordPush(Samples.NewSessionId(), Source.Url("/slow.mp3")), "slow");
        await WaitUntilAsync(app, "SELECT status = 'archived' OR last_error IS NOT NULL FROM recording_files", TimeSpan.FromSeconds(60));

        var row = Assert.Single(await app.RowsAsync("SELECT status, attempts, sha256 FROM recording_files"));
        Assert.Equal(("archived", 1, Sha256Of(bytes)), ((string)row["status"]!, (int)row["attempts"]!, (string)row["sha256"]!));
    }
}
