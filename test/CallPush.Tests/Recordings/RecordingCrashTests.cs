using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Recordings;

public sealed class RecordingCrashTests(PostgresFixture postgres) : ArchiveTest(postgres)
{
    [Fact]
    public async Task A_replica_killed_mid_download_leaves_no_file_and_the_row_is_archived_by_another_after_its_lease()
    {
        var bytes = Mp3Bytes.Cbr(400, seed: 42);
        var firstChunkSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Source.Handle("/long.mp3", async (context, number) =>
        {
            if (number > 1)
            {
                await RecordingSource.WriteAsync(context, bytes, "audio/mpeg");
                return;
            }
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, 4096));
            await context.Response.Body.FlushAsync();
            firstChunkSent.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
        });
        var connectionString = await Postgres.CreateDatabaseAsync();
        var port = ServiceProcess.FreePort();
        var environment = Settings(("FetchTimeout", "00:00:05")).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        environment["ConnectionStrings__CallPush"] = connectionString;
        var session = Samples.NewSessionId();
        await using (var service = ServiceProcess.Start(environment))
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await service.WaitUntilReadyAsync(client, TimeSpan.FromSeconds(60));
            await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/long.mp3")), "long");
            await firstChunkSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await service.KillAsync();
        }

        await using var survivor = new CallPushApp(connectionString, Settings(("FetchTimeout", "00:00:05")));
        var claimed = Assert.Single(await survivor.RowsAsync("SELECT status, attempts, next_attempt_at > now() AS leased FROM recording_files"));
        Assert.Equal(("pending", 1, true), ((string)claimed["status"]!, (int)claimed["attempts"]!, (bool)claimed["leased"]!));
        Assert.Empty(FilesInStorage());
        await survivor.WaitUntilReadyAsync();
        await WaitUntilAsync(survivor, "SELECT status = 'archived' FROM recording_files", TimeSpan.FromSeconds(60));

        var row = Assert.Single(await survivor.RowsAsync("SELECT attempts, sha256, storage_key FROM recording_files"));
        Assert.Equal(2, row["attempts"]);
        Assert.Equal(Sha256Of(bytes), row["sha256"]);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(StoredFile((string)row["storage_key"]!)));
        Assert.Equal(2, Source.Requests("/long.mp3"));
        Assert.Single(FilesInStorage());
    }

    [Fact]
    public async Task A_replica_stopped_gracefully_mid_download_hands_the_row_back_at_once_instead_of_leaving_it_to_its_lease()
    {
        var bytes = Mp3Bytes.Cbr(400, seed: 43);
        var firstChunkSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Source.Handle("/stalled.mp3", async (context, _) =>
        {
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, 4096));
            await context.Response.Body.FlushAsync();
            firstChunkSent.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
        });
        var settings = Settings(("FetchTimeout", "00:10:00"));
        var app = await CallPushApp.StartAsync(Postgres, settings);
        var connectionString = app.ConnectionString;
        await using (app)
        {
            using var client = app.CreateClient();
            await client.PushAndReadAsync("record", RecordPush(Samples.NewSessionId(), Source.Url("/stalled.mp3")), "stalled");
            await firstChunkSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var leased = Assert.Single(await app.RowsAsync("SELECT attempts, next_attempt_at > now() + interval '5 minutes' AS leased FROM recording_files"));
            Assert.Equal((1, true), ((int)leased["attempts"]!, (bool)leased["leased"]!));
        }

        await using var after = new CallPushApp(connectionString, settings);
        var row = Assert.Single(await after.RowsAsync("SELECT status, attempts, next_attempt_at <= now() AS due FROM recording_files"));
        Assert.Equal(("pending", 0, true), ((string)row["status"]!, (int)row["attempts"]!, (bool)row["due"]!));
        Assert.Empty(FilesInStorage());
    }
}
