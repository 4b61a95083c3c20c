using System.Globalization;
using System.Security.Cryptography;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Recordings;

public sealed class RecordingMemoryTests(PostgresFixture postgres) : ArchiveTest(postgres)
{
    private const long AllowedGrowth = 30 * 1024 * 1024;

    [Fact]
    public async Task Archiving_a_200_MB_file_raises_the_service_rss_by_less_than_30_MB()
    {
        // Whole frames repeated: the source streams 200 MB without holding them, and the test knows their hash.
        var block = Mp3Bytes.Cbr(157, seed: 77);
        const int blocks = 3200;
        long size = (long)block.Length * blocks;
        using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < blocks; i++)
        {
            expected.AppendData(block);
        }
        var sha256 = Convert.ToHexStringLower(expected.GetHashAndReset());
        Source.Serve("/warm-up.mp3", Mp3Bytes.Cbr(500));
        Source.Handle("/big.mp3", async (context, _) =>
        {
            context.Response.ContentType = "audio/mpeg";
            context.Response.ContentLength = size;
            for (var i = 0; i < blocks; i++)
            {
                await context.Response.Body.WriteAsync(block, context.RequestAborted);
            }
        });
        var port = ServiceProcess.FreePort();
        var environment = Settings().ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        environment["ConnectionStrings__CallPush"] = await Postgres.CreateDatabaseAsync();
        await using var service = ServiceProcess.Start(environment);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await service.WaitUntilReadyAsync(client, TimeSpan.FromSeconds(60));
        var session = Samples.NewSessionId();
        await using var database = new CallPushApp(environment["ConnectionStrings__CallPush"]);

        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/warm-up.mp3"), recordId: "warm-up"), "warm-up");
        await WaitUntilAsync(database, "SELECT bool_and(status = 'archived') FROM recording_files");
        await Task.Delay(500);
        var baseline = ResidentBytes(service.Id);
        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/big.mp3"), recordId: "big"), "big");
        var peak = baseline;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!await database.ScalarAsync<bool>("SELECT count(*) = 2 AND bool_and(status <> 'pending') FROM recording_files"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the 200 MB file was not archived in time");
            peak = Math.Max(peak, ResidentBytes(service.Id));
            await Task.Delay(50);
        }

        var row = Assert.Single(await database.RowsAsync("SELECT status, size_bytes, sha256, duration_seconds, storage_key FROM recording_files WHERE record_id = 'big'"));
        Assert.Equal(("archived", size, sha256), ((string)row["status"]!, (long)row["size_bytes"]!, (string)row["sha256"]!));
        Assert.Equal(157 * blocks * Mp3Bytes.FrameSeconds, (double)row["duration_seconds"]!, 1);
        Assert.Equal(size, new FileInfo(StoredFile((string)row["storage_key"]!)).Length);
        Assert.True(peak - baseline < AllowedGrowth, $"RSS grew by {(peak - baseline) / 1024 / 1024} MB (from {baseline / 1024 / 1024} MB)");
    }

    private static long ResidentBytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
