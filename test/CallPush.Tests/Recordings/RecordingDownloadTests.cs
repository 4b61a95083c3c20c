using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CallPush.Tests.Auth;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Recordings;

public sealed class RecordingDownloadTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _folder = RecordingTestSupport.TemporaryFolder();
    private CallPushApp _app = null!;
    private HttpClient _client = null!;
    private string _prefix = string.Empty;
    private int _audited;

    public async ValueTask InitializeAsync()
    {
        _app = await CallPushApp.StartAsync(postgres, RecordingTestSupport.Settings(_folder));
        var key = await _app.CreateKeyAsync();
        _prefix = key[4..12];
        _client = _app.AnalystClient(key);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_listing_gives_every_recording_of_the_session_with_its_status_and_content_link()
    {
        var sessionId = Samples.NewSessionId();
        var content = RecordingTestSupport.Mp3Bytes(1000);
        var archived = await _app.ArchiveAsync(content, sessionId, recordId: "r-archived", endpointUser: "alice@example.com");
        var pending = await _app.InsertRecordingFileAsync(sessionId, "pending", "r-pending", "bob@example.com", null, null, null, null, null);
        var failed = await _app.InsertRecordingFileAsync(sessionId, "failed", "r-failed", "carol@example.com", null, null, null, null, "HTTP 404 for 2 hours");
        await _app.InsertRecordingFileAsync(Samples.NewSessionId(), "pending", "r-other", "dave@example.com", null, null, null, null, null);

        using var response = await _client.GetAsync($"/recordings?sdkAppId={RecordingTestSupport.SdkAppId}&sessionId={sessionId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(RecordingTestSupport.SdkAppId, body.GetProperty("sdkAppId").GetInt64());
        Assert.Equal(sessionId, body.GetProperty("sessionId").GetString());
        var items = body.GetProperty("recordings").EnumerateArray().ToList();
        Assert.Equal([archived, pending, failed], items.Select(i => i.GetProperty("id").GetInt64()));
        var first = items[0];
        Assert.Equal("record", first.GetProperty("kind").GetString());
        Assert.Equal("alice@example.com", first.GetProperty("endpointUser").GetString());
        Assert.Equal("r-archived", first.GetProperty("recordId").GetString());
        Assert.Equal("archived", first.GetProperty("status").GetString());
        Assert.Equal(1000, first.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)), first.GetProperty("sha256").GetString());
        Assert.Equal(12.5, first.GetProperty("durationSeconds").GetDouble());
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), first.GetProperty("archivedAt").GetDateTimeOffset());
        Assert.Equal($"/recordings/{archived}/content", first.GetProperty("contentUrl").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("lastError").ValueKind);
        Assert.Equal("pending", items[1].GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, items[1].GetProperty("contentUrl").ValueKind);
        Assert.Equal("failed", items[2].GetProperty("status").GetString());
        Assert.Equal("HTTP 404 for 2 hours", items[2].GetProperty("lastError").GetString());
        var audit = Assert.Single(await _app.AuditRowsAsync(1));
        Assert.Equal(_prefix, audit["api_key_prefix"]);
        Assert.Equal("list", audit["operation"]);
        Assert.Equal(RecordingTestSupport.SdkAppId, audit["sdk_app_id"]);
        Assert.Equal(sessionId, audit["session_id"]);
        Assert.Null(audit["recording_file_id"]);
        Assert.Equal(200, audit["status_code"]);
        Assert.Equal((long)(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length, audit["bytes_sent"]);
    }

    [Theory]
    [InlineData("/recordings")]
    [InlineData("/recordings?sessionId=s-1")]
    [InlineData("/recordings?sdkAppId=abc&sessionId=s-1")]
    [InlineData("/recordings?sdkAppId=-5&sessionId=s-1")]
    [InlineData("/recordings?sdkAppId=1400482256")]
    [InlineData("/recordings?sdkAppId=1400482256&sessionId=")]
    public async Task A_listing_without_a_valid_sdkAppId_and_sessionId_is_answered_400_with_a_JSON_error(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var named = path.Contains("sdkAppId=1400482256", StringComparison.Ordinal) ? "sessionId" : "sdkAppId";
        Assert.Contains(named, (await response.JsonAsync()).GetProperty("error").GetString(), StringComparison.Ordinal);
        var audit = Assert.Single(await _app.AuditRowsAsync(1));
        Assert.Equal(400, audit["status_code"]);
        Assert.Equal("list", audit["operation"]);
    }

    [Fact]
    public async Task GET_serves_the_whole_file_byte_for_byte_with_its_headers()
    {
        var content = RecordingTestSupport.Mp3Bytes(5000);
        var id = await _app.ArchiveAsync(content, Samples.NewSessionId(), "2026-12-01_call.mp3");

        using var response = await _client.GetAsync($"/recordings/{id}/content");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal("audio/mpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(5000, response.Content.Headers.ContentLength);
        Assert.Equal(["bytes"], response.Headers.AcceptRanges);
        Assert.Equal($"\"{Sha256(content)}\"", response.Headers.ETag?.Tag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), response.Content.Headers.LastModified);
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("2026-12-01_call.mp3", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        await AssertAuditedAsync(id, range: null, bytesSent: 5000, status: 200);
    }

    [Fact]
    public async Task HEAD_answers_the_headers_of_GET_without_a_body()
    {
        var content = RecordingTestSupport.Mp3Bytes(3000);
        var id = await _app.ArchiveAsync(content, Samples.NewSessionId());

        using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/recordings/{id}/content"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3000, response.Content.Headers.ContentLength);
        Assert.Equal("audio/mpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["bytes"], response.Headers.AcceptRanges);
        Assert.Equal($"\"{Sha256(content)}\"", response.Headers.ETag?.Tag);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        await AssertAuditedAsync(id, range: null, bytesSent: 0, status: 200);
    }

    [Theory]
    [InlineData("bytes=0-99", 0, 100)]
    [InlineData("bytes=100-", 100, 4900)]
    [InlineData("bytes=-50", 4950, 50)]
    [InlineData("bytes=4990-999999", 4990, 10)]
    public async Task A_single_range_is_answered_206_with_exactly_those_bytes(string range, int offset, int length)
    {
        var content = RecordingTestSupport.Mp3Bytes(5000);
        var id = await _app.ArchiveAsync(content, Samples.NewSessionId());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/recordings/{id}/content");
        request.Headers.TryAddWithoutValidation("Range", range);

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(content.AsSpan(offset, length).ToArray(), await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(length, response.Content.Headers.ContentLength);
        Assert.Equal(new ContentRangeHeaderValue(offset, offset + length - 1, 5000).ToString(), response.Content.Headers.ContentRange?.ToString());
        await AssertAuditedAsync(id, range, bytesSent: length, status: 206);
    }

    [Fact]
    public async Task A_range_beyond_the_end_is_answered_416_with_the_length()
    {
        var id = await _app.ArchiveAsync(RecordingTestSupport.Mp3Bytes(5000), Samples.NewSessionId());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/recordings/{id}/content");
        request.Headers.TryAddWithoutValidation("Range", "bytes=999999999-");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */5000", response.Content.Headers.ContentRange?.ToString());
        await AssertAuditedAsync(id, "bytes=999999999-", bytesSent: 0, status: 416);
    }

    [Fact]
    public async Task If_None_Match_with_the_ETag_is_answered_304_without_a_body()
    {
        var content = RecordingTestSupport.Mp3Bytes(2000);
        var id = await _app.ArchiveAsync(content, Samples.NewSessionId());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/recordings/{id}/content");
        request.Headers.TryAddWithoutValidation("If-None-Match", $"\"{Sha256(content)}\"");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        await AssertAuditedAsync(id, range: null, bytesSent: 0, status: 304);
    }

    [Fact]
    public async Task attachment_true_asks_for_a_download_and_false_or_nothing_for_inline_with_a_non_ASCII_name_kept()
    {
        var id = await _app.ArchiveAsync(RecordingTestSupport.Mp3Bytes(100), Samples.NewSessionId(), "录音-1.mp3");

        using var attachment = await _client.GetAsync($"/recordings/{id}/content?attachment=true");
        using var inline = await _client.GetAsync($"/recordings/{id}/content?attachment=false");
        using var byDefault = await _client.GetAsync($"/recordings/{id}/content");
        using var invalid = await _client.GetAsync($"/recordings/{id}/content?attachment=maybe");

        Assert.Equal("attachment", attachment.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("录音-1.mp3", attachment.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("inline", inline.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("录音-1.mp3", inline.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("inline", byDefault.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task A_recording_not_archived_yet_is_404_with_its_status_and_an_unknown_id_is_404()
    {
        var sessionId = Samples.NewSessionId();
        var pending = await _app.InsertRecordingFileAsync(sessionId, "pending", "r-1", "a@example.com", null, null, null, null, null);
        var failed = await _app.InsertRecordingFileAsync(sessionId, "failed", "r-2", "a@example.com", null, null, null, null, "HTTP 403 for 2 hours");

        using var pendingResponse = await _client.GetAsync($"/recordings/{pending}/content");
        await _app.AuditRowsAsync(++_audited);
        using var failedResponse = await _client.GetAsync($"/recordings/{failed}/content");
        await _app.AuditRowsAsync(++_audited);
        using var unknown = await _client.GetAsync("/recordings/987654321/content");
        await _app.AuditRowsAsync(++_audited);
        using var notANumber = await _client.GetAsync("/recordings/abc/content");

        Assert.Equal(HttpStatusCode.NotFound, pendingResponse.StatusCode);
        var pendingBody = await pendingResponse.JsonAsync();
        Assert.Equal("not archived yet", pendingBody.GetProperty("error").GetString());
        Assert.Equal("pending", pendingBody.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, failedResponse.StatusCode);
        var failedBody = await failedResponse.JsonAsync();
        Assert.Equal("failed", failedBody.GetProperty("status").GetString());
        Assert.Equal("HTTP 403 for 2 hours", failedBody.GetProperty("lastError").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.False(string.IsNullOrEmpty((await unknown.JsonAsync()).GetProperty("error").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, notANumber.StatusCode);
        var rows = await _app.AuditRowsAsync(4);
        Assert.Equal([pending, failed, 987654321L, null], rows.Select(r => (long?)r["recording_file_id"]));
        Assert.All(rows, r => Assert.Equal(404, r["status_code"]));
        Assert.All(rows, r => Assert.Equal("content", r["operation"]));
        Assert.Equal([sessionId, sessionId, null, null], rows.Select(r => (string?)r["session_id"]));
    }

    [Fact]
    public async Task A_file_missing_from_storage_is_404()
    {
        var id = await _app.ArchiveAsync(RecordingTestSupport.Mp3Bytes(100), Samples.NewSessionId(), "gone.mp3");
        foreach (var file in Directory.GetFiles(_folder, "gone.mp3", SearchOption.AllDirectories))
        {
            File.Delete(file);
        }

        using var response = await _client.GetAsync($"/recordings/{id}/content");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("missing", (await response.JsonAsync()).GetProperty("error").GetString(), StringComparison.Ordinal);
        await AssertAuditedAsync(id, range: null, bytesSent: null, status: 404);
    }

    [Fact]
    public async Task Without_a_key_content_is_401_and_not_audited()
    {
        var id = await _app.ArchiveAsync(RecordingTestSupport.Mp3Bytes(100), Samples.NewSessionId());
        using var anonymous = _app.CreateClient();

        using var response = await anonymous.GetAsync($"/recordings/{id}/content");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"CallPush analysts\"", response.WwwAuthenticate());
        Assert.Empty(await _app.RowsAsync("SELECT * FROM recording_access_log"));
    }

    private async Task AssertAuditedAsync(long id, string? range, long? bytesSent, int status)
    {
        var row = Assert.Single(await _app.AuditRowsAsync(1));
        Assert.Equal(_prefix, row["api_key_prefix"]);
        Assert.Equal("content", row["operation"]);
        Assert.Equal(id, row["recording_file_id"]);
        Assert.Equal(RecordingTestSupport.SdkAppId, row["sdk_app_id"]);
        Assert.NotNull(row["session_id"]);
        Assert.Equal(range, row["range"]);
        Assert.Equal(status, row["status_code"]);
        if (bytesSent is not null)
        {
            Assert.Equal(bytesSent, row["bytes_sent"]);
        }
    }

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
}
