using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using CallPush.Tests.Infrastructure;
using CallPush.Tests.Recordings;
using static CallPush.Tests.Exports.ExportTestSupport;

namespace CallPush.Tests.Exports;

/// <summary>Connectors: folder paths kept under the root, S3 through s3rver, and secrets that never come back.</summary>
public sealed class ExportConnectorTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _root = NewRoot();
    private readonly string _outside = NewRoot();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Folder_paths_outside_the_root_are_refused_even_through_a_symbolic_link_made_later()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings(_root));
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        Directory.CreateSymbolicLink(Path.Combine(_root, "link"), _outside);

        foreach (var path in new[] { "../escape", "a/../../escape", _outside, "/etc", "link", "link/deeper", "" })
        {
            using var response = await analyst.PostAsJsonAsync("/exports/connectors", new { name = "bad", kind = "folder", path });
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"'{path}' was accepted");
        }
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM export_connectors"));

        var connector = await analyst.CreateFolderConnectorAsync("later");
        Directory.CreateSymbolicLink(Path.Combine(_root, "later"), _outside);
        using var test = await analyst.PostAsync($"/exports/connectors/{connector}/test", null);
        var answer = (await test.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False(answer["ok"]!.GetValue<bool>());
        Assert.Equal("path", answer["stage"]!.GetValue<string>());

        var job = await analyst.CreateJobAsync(new { name = "j", connectorId = connector, containers = new[] { "agents" }, tenants = new[] { SdkAppId }, enabled = false });
        var run = await analyst.WaitForRunAsync(await analyst.StartRunAsync(job));
        Assert.Equal("delivery_failed", run["status"]!.GetValue<string>());
        Assert.Contains("symbolic link", run["error"]!.GetValue<string>());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_outside));

        using var sameConnectorName = await analyst.PostAsJsonAsync("/exports/connectors", new { name = "local", kind = "folder", path = "other" });
        Assert.Equal(HttpStatusCode.Conflict, sameConnectorName.StatusCode);
        Assert.Equal("a connector is already named 'local'", (await sameConnectorName.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        using var sameJobName = await analyst.PostAsJsonAsync("/exports/jobs",
            new { name = "j", connectorId = connector, containers = new[] { "calls" }, tenants = new[] { SdkAppId }, enabled = false });
        Assert.Equal(HttpStatusCode.Conflict, sameJobName.StatusCode);
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM export_jobs"));
    }

    [Fact]
    public async Task An_S3_connector_delivers_byte_exact_files_and_wrong_credentials_or_bucket_are_named_by_the_test_and_the_run()
    {
        await using var s3 = await S3Server.StartAsync("exports");
        await using var app = await CallPushApp.StartAsync(postgres, Settings(_root));
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        const string secret = "a-secret-that-must-not-leak-0001";
        async Task<long> ConnectorAsync(string name, string accessKey, string bucket)
        {
            using var response = await analyst.PostAsJsonAsync("/exports/connectors", new
            {
                name, kind = "s3", bucket, prefix = "callpush/", region = "us-east-1", serviceUrl = s3.ServiceUrl, forcePathStyle = true,
                accessKey, secretKey = secret,
            });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(secret, body);
            return JsonNode.Parse(body)!["id"]!.GetValue<long>();
        }
        var good = await ConnectorAsync("good", S3Server.AccessKey, "exports");
        var wrongKey = await ConnectorAsync("wrong-key", "NOT-A-KEY", "exports");
        var noBucket = await ConnectorAsync("no-bucket", S3Server.AccessKey, "missing-bucket");

        async Task<JsonObject> TestAsync(long id)
        {
            using var response = await analyst.PostAsync($"/exports/connectors/{id}/test", null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        }
        Assert.True((await TestAsync(good))["ok"]!.GetValue<bool>());
        var auth = await TestAsync(wrongKey);
        Assert.False(auth["ok"]!.GetValue<bool>());
        Assert.Equal("auth", auth["stage"]!.GetValue<string>());
        Assert.Equal("bucket", (await TestAsync(noBucket))["stage"]!.GetValue<string>());

        Assert.DoesNotContain(secret, await analyst.GetStringAsync("/exports/connectors"));
        Assert.DoesNotContain(secret, await app.ScalarAsync<string>("SELECT string_agg(coalesce(protected_secrets, '') || settings::text, '') FROM export_connectors"));
        Assert.True(await app.ScalarAsync<long>("SELECT count(*) FROM data_protection_keys") > 0, "the key ring is kept in the database");

        using var pusher = app.CreateClient();
        await pusher.PushCdrAsync(Cdr("s3-session", DateTimeOffset.Parse("2026-03-07T10:00:00Z"), cdr => cdr["UserRemark"] = "line1\r\nline2, \"x\""));
        object Job(string name, long connector) => new
        {
            name, connectorId = connector, containers = new[] { "calls", "agents" }, tenants = new[] { SdkAppId }, enabled = false,
        };
        var goodRun = await analyst.WaitForRunAsync(await analyst.StartRunAsync(await analyst.CreateJobAsync(Job("to-good", good)), new { day = "2026-03-07" }));
        var failedRun = await analyst.WaitForRunAsync(await analyst.StartRunAsync(await analyst.CreateJobAsync(Job("to-wrong", wrongKey)), new { day = "2026-03-07" }));

        Assert.Equal("success", goodRun["status"]!.GetValue<string>());
        using var client = new AmazonS3Client(new BasicAWSCredentials(S3Server.AccessKey, S3Server.SecretKey),
            new AmazonS3Config { ServiceURL = s3.ServiceUrl.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        foreach (var file in goodRun.Files())
        {
            using var object_ = await client.GetObjectAsync("exports", "callpush/" + file["path"]!.GetValue<string>());
            using var copy = new MemoryStream();
            await object_.ResponseStream.CopyToAsync(copy);
            Assert.Equal(file["sha256"]!.GetValue<string>(), Convert.ToHexStringLower(SHA256.HashData(copy.ToArray())));
            var local = Path.Combine(_root, Guid.NewGuid().ToString("N") + ".csv");
            await File.WriteAllBytesAsync(local, copy.ToArray());
            Assert.Equal(file["rows"]!.GetValue<long>(), (await ReadCsvAsync(local)).Count - 1);
        }
        Assert.Equal("delivery_failed", failedRun["status"]!.GetValue<string>());
        Assert.Contains("InvalidAccessKeyId", failedRun["error"]!.GetValue<string>());
        Assert.Contains("auth", failedRun["error"]!.GetValue<string>());
    }
}
