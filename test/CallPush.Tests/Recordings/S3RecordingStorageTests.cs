using Amazon.Runtime;
using Amazon.S3;
using CallPush.Api.Features.Recordings;
using CallPush.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CallPush.Tests.Recordings;

public sealed class S3RecordingStorageTests(PostgresFixture postgres) : ArchiveTest(postgres)
{
    [Fact]
    public async Task A_recording_archived_to_S3_is_stored_byte_for_byte_with_its_content_type_and_sha256()
    {
        await using var s3 = await S3Server.StartAsync("recordings");
        var bytes = Mp3Bytes.Cbr(900, seed: 9); // about 370 kB
        Source.Serve("/s3.mp3", bytes);
        await using var app = await CallPushApp.StartAsync(Postgres, Settings(
            ("Storage", "S3"), ("S3:Bucket", s3.Bucket), ("S3:Prefix", "callpush/"), ("S3:ServiceUrl", s3.ServiceUrl.ToString()),
            ("S3:Region", "us-east-1"), ("S3:ForcePathStyle", "true"), ("S3:AccessKey", S3Server.AccessKey), ("S3:SecretKey", S3Server.SecretKey)));
        using var client = app.CreateClient();
        var session = Samples.NewSessionId();

        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/s3.mp3")), "s3-push");
        await WaitUntilSettledAsync(app);

        var row = Assert.Single(await app.RowsAsync("SELECT status, storage_key, last_error FROM recording_files"));
        Assert.Equal("archived", row["status"]);
        var key = (string)row["storage_key"]!;
        using var s3Client = new AmazonS3Client(new BasicAWSCredentials(S3Server.AccessKey, S3Server.SecretKey),
            new AmazonS3Config { ServiceURL = s3.ServiceUrl.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        using var stored = await s3Client.GetObjectAsync(s3.Bucket, "callpush/" + key);
        using var copy = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal("audio/mpeg", stored.Headers.ContentType);
        Assert.Equal(Sha256Of(bytes), stored.Metadata["x-amz-meta-sha256"]);
        Assert.Empty(FilesInStorage());

        var storage = app.Services.GetRequiredService<IRecordingStorage>();
        await using (var opened = await storage.OpenAsync(key, TestContext.Current.CancellationToken))
        {
            Assert.NotNull(opened);
            Assert.Equal(bytes.Length, opened.Length);
            using var read = new MemoryStream();
            await opened.Content.CopyToAsync(read);
            Assert.Equal(bytes, read.ToArray());
        }
        Assert.Null(await storage.OpenAsync(key + ".missing", TestContext.Current.CancellationToken));
        var presigned = storage.PresignedUrl(key, TimeSpan.FromMinutes(1), "call.mp3", attachment: true);
        Assert.NotNull(presigned);
        using var http = new HttpClient();
        using var download = await http.GetAsync(presigned);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment; filename=\"call.mp3\"", download.Content.Headers.ContentDisposition?.ToString());
    }

    [Fact]
    public async Task The_download_api_serves_ranges_and_head_of_an_S3_stored_recording_byte_for_byte()
    {
        await using var s3 = await S3Server.StartAsync("recordings");
        var bytes = Mp3Bytes.Cbr(600, seed: 11);
        Source.Serve("/ranged.mp3", bytes);
        await using var app = await CallPushApp.StartAsync(Postgres, Settings(
            ("Storage", "S3"), ("S3:Bucket", s3.Bucket), ("S3:ServiceUrl", s3.ServiceUrl.ToString()),
            ("S3:Region", "us-east-1"), ("S3:ForcePathStyle", "true"), ("S3:AccessKey", S3Server.AccessKey), ("S3:SecretKey", S3Server.SecretKey)));
        using var pusher = app.CreateClient();
        await pusher.PushAndReadAsync("record", RecordPush(Samples.NewSessionId(), Source.Url("/ranged.mp3")), "s3-ranged");
        await WaitUntilSettledAsync(app);
        var id = await app.ScalarAsync<long>("SELECT id FROM recording_files WHERE status = 'archived'");
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        var content = $"/recordings/{id}/content";

        using var whole = await analyst.GetAsync(content);
        using var head = await analyst.SendAsync(new HttpRequestMessage(HttpMethod.Head, content));
        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, content);
        rangeRequest.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100, 199);
        using var range = await analyst.SendAsync(rangeRequest);
        using var tailRequest = new HttpRequestMessage(HttpMethod.Get, content);
        tailRequest.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(null, 50);
        using var tail = await analyst.SendAsync(tailRequest);

        Assert.Equal(bytes, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal(bytes.Length, whole.Content.Headers.ContentLength);
        Assert.Equal(System.Net.HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);
        Assert.Equal(System.Net.HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal(bytes[100..200], await range.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 100-199/{bytes.Length}", range.Content.Headers.ContentRange?.ToString());
        Assert.Equal(System.Net.HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(bytes[^50..], await tail.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task S3_storage_without_a_bucket_stops_start_up_naming_the_setting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await CallPushApp.StartAsync(Postgres, Settings(("Storage", "S3")));
        });

        Assert.Contains("CallPush__Recordings__S3__Bucket", error.ToString());
    }
}
