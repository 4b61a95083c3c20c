using System.Net;
using CallPush.Api.Diagnostics;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Recordings;

internal static class RecordingsExtensions
{
    public static WebApplicationBuilder AddRecordings(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RecordingsOptions>().BindConfiguration(RecordingsOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Storage != RecordingStorageKind.S3 || !string.IsNullOrWhiteSpace(o.S3.Bucket),
                "CallPush__Recordings__S3__Bucket must be set when CallPush__Recordings__Storage is S3")
            .Validate(o => string.IsNullOrEmpty(o.S3.AccessKey) == string.IsNullOrEmpty(o.S3.SecretKey),
                "CallPush__Recordings__S3__AccessKey and CallPush__Recordings__S3__SecretKey are set together or not at all")
            .ValidateOnStart();
        builder.Services.AddSingleton<IRecordingStorage>(services =>
            services.GetRequiredService<IOptions<RecordingsOptions>>().Value.Storage == RecordingStorageKind.S3
                ? ActivatorUtilities.CreateInstance<S3RecordingStorage>(services)
                : ActivatorUtilities.CreateInstance<FileSystemRecordingStorage>(services));

        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<RecordingsOptions>>().Value;
            return new RecordingUrlGuard(options.AllowedHosts, options.AllowPrivateAddresses);
        });
        builder.Services.AddHttpClient(RecordingFetcher.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
                UseProxy = false,
                ConnectTimeout = TimeSpan.FromSeconds(15),
                ConnectCallback = RecordingFetcher.Connector(services.GetRequiredService<RecordingUrlGuard>()),
            })
            .AddStandardResilienceHandler(resilience =>
            {
                // One quick retry inside the request; longer waits (and Retry-After) go through the queue's next_attempt_at.
                resilience.Retry.MaxRetryAttempts = 1;
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(500);
                resilience.Retry.ShouldRetryAfterHeader = false;
                resilience.Retry.ShouldHandle = arguments => ValueTask.FromResult(
                    HttpClientResiliencePredicates.IsTransient(arguments.Outcome) && !RecordingFetcher.IsRefusal(arguments.Outcome.Exception));
            });
        builder.Services.AddSingleton<RecordingFetcher>();
        // The fresh-URL refresher uses the sources' API clients, which reconciliation registers (AddReconciliationServices).
        builder.Services.AddSingleton<RecordingUrlRefresher>();
        builder.Services.AddSingleton<RecordingQueue>();
        builder.Services.AddSingleton<RecordingArchiveMetrics>();
        builder.Services.AddHostedService<RecordingArchiveWorker>();
        builder.Services.AddSingleton<RecordingAccessLog>();
        return builder;
    }
}
