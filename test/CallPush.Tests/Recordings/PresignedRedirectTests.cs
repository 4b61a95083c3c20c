using System.Net;
using CallPush.Api.Features.Recordings;
using CallPush.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CallPush.Tests.Recordings;

public sealed class PresignedRedirectTests(PostgresFixture postgres)
{
    [Theory]
    [InlineData("true", HttpStatusCode.Found)]
    [InlineData("false", HttpStatusCode.OK)]
    public async Task With_the_setting_on_a_storage_that_presigns_answers_302_to_its_url_and_streams_otherwise(string redirect, HttpStatusCode expected)
    {
        var folder = RecordingTestSupport.TemporaryFolder();
        try
        {
            await using var app = await CallPushApp.StartAsync(postgres, RecordingTestSupport.Settings(folder, new()
            {
                ["CallPush:Recordings:RedirectToPresignedUrl"] = redirect,
            }));
            await using var presigning = app.WithWebHostBuilder(host => host.ConfigureTestServices(services =>
                services.AddSingleton<IRecordingStorage>(provider => new PresigningStorage(new FileSystemRecordingStorage(provider.GetRequiredService<IOptions<RecordingsOptions>>())))));
            var key = await app.CreateKeyAsync();
            var content = RecordingTestSupport.Mp3Bytes(500);
            var id = await app.ArchiveAsync(content, Samples.NewSessionId(), "call.mp3");
            using var client = presigning.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            client.DefaultRequestHeaders.Add("X-API-Key", key);

            using var response = await client.GetAsync($"/recordings/{id}/content?attachment=true");

            Assert.Equal(expected, response.StatusCode);
            if (expected == HttpStatusCode.Found)
            {
                Assert.Equal(new Uri("https://bucket.example.com/1400482256/call.mp3?attachment=True&signature=abc"), response.Headers.Location);
            }
            else
            {
                Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
            }
            var audit = Assert.Single(await app.AuditRowsAsync(1));
            Assert.Equal((int)expected, audit["status_code"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class PresigningStorage(IRecordingStorage files) : IRecordingStorage
    {
        public Task SaveAsync(string key, string localFile, string contentType, string sha256, CancellationToken cancellationToken) =>
            files.SaveAsync(key, localFile, contentType, sha256, cancellationToken);

        public Task<StoredRecording?> OpenAsync(string key, CancellationToken cancellationToken) => files.OpenAsync(key, cancellationToken);

        public Uri? PresignedUrl(string key, TimeSpan lifetime, string fileName, bool attachment) =>
            new($"https://bucket.example.com/1400482256/{fileName}?attachment={attachment}&signature=abc");
    }
}
