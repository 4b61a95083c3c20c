using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Recordings;

public sealed class RecordingQueueSharingTests(PostgresFixture postgres) : ArchiveTest(postgres)
{
    [Fact]
    public async Task Three_replicas_share_one_queue_and_download_each_file_exactly_once()
    {
        const int count = 20;
        var files = Enumerable.Range(0, count).Select(i => Mp3Bytes.Cbr(10 + i, seed: 100 + i)).ToArray();
        for (var i = 0; i < count; i++)
        {
            var bytes = files[i];
            Source.Handle($"/f{i}.mp3", async (context, _) =>
            {
                await Task.Delay(150);
                await RecordingSource.WriteAsync(context, bytes, "audio/mpeg");
            });
        }
        var settings = Settings(("Concurrency", "2"));
        await using var first = await CallPushApp.StartAsync(Postgres, settings);
        await using var second = new CallPushApp(first.ConnectionString, settings);
        await using var third = new CallPushApp(first.ConnectionString, settings);
        await second.WaitUntilReadyAsync();
        await third.WaitUntilReadyAsync();
        using var client = first.CreateClient();
        var session = Samples.NewSessionId();

        for (var i = 0; i < count; i++)
        {
            await client.PushAndReadAsync("record", RecordPush(session, Source.Url($"/f{i}.mp3"), recordId: "r" + i), "push-" + i);
        }
        await WaitUntilAsync(first, "SELECT count(*) = $1 AND bool_and(status = 'archived') FROM recording_files", TimeSpan.FromSeconds(60), (long)count);

        Assert.All(Enumerable.Range(0, count), i => Assert.Equal(1, Source.Requests($"/f{i}.mp3")));
        var rows = await first.RowsAsync("SELECT record_id, sha256, attempts FROM recording_files");
        Assert.All(rows, row =>
        {
            var i = int.Parse(((string)row["record_id"]!)[1..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Sha256Of(files[i]), row["sha256"]);
            Assert.Equal(1, row["attempts"]);
        });
        Assert.Equal(count, FilesInStorage().Count());
    }
}
