using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using CallPush.Tests.Infrastructure;
using CallPush.Tests.Recordings;
using Microsoft.Extensions.DependencyInjection;
using static CallPush.Tests.Exports.ExportTestSupport;

namespace CallPush.Tests.Exports;

public sealed class ExportTelemetryTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _root = NewRoot();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_run_has_a_span_with_a_child_span_per_file_and_rows_bytes_files_and_runs_are_counted()
    {
        var tenant = "t" + Guid.NewGuid().ToString("N")[..10];
        var spans = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "CallPush",
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName is "export run" or "export file")
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(activities);
        await using var app = await CallPushApp.StartAsync(postgres, Settings(_root, ($"TenantNames:{SdkAppId}", tenant)));
        var measurements = new ConcurrentQueue<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)>();
        using var meters = new MeterListener();
        var scope = app.Services.GetRequiredService<IMeterFactory>();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "CallPush" && ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Name.StartsWith("callpush.exports", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        meters.Start();
        using var pusher = app.CreateClient();
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        await pusher.PushCdrAsync(Cdr("telemetry", DateTimeOffset.Parse("2026-03-07T10:00:00Z")));
        var job = await analyst.CreateJobAsync(new
        {
            name = "t", connectorId = await analyst.CreateFolderConnectorAsync("t"), containers = new[] { "calls", "participants" },
            tenants = new[] { SdkAppId }, enabled = false,
        });

        var run = await analyst.WaitForRunAsync(await analyst.StartRunAsync(job, new { day = "2026-03-07" }));

        Assert.Equal("success", run["status"]!.GetValue<string>());
        // The run's row is committed before its span ends and its run counter is recorded.
        await WaitUntilAsync(() => spans.Any(s => s.OperationName == "export run" && s.GetTagItem("callpush.export.status") is "success")
            && measurements.Any(m => m.Instrument == "callpush.exports.runs"));
        var files = spans.Where(s => s.OperationName == "export file" && (s.GetTagItem("callpush.export.path") as string)?.Contains(tenant, StringComparison.Ordinal) == true).ToList();
        Assert.Equal(4, files.Count); // two files written, two delivered
        var runSpan = Assert.Single(spans, s => s.OperationName == "export run" && s.SpanId == files[0].ParentSpanId);
        Assert.Equal("success", runSpan.GetTagItem("callpush.export.status"));
        Assert.Equal(2L, runSpan.GetTagItem("callpush.export.rows"));
        Assert.All(files, f => Assert.Equal(runSpan.SpanId, f.ParentSpanId));
        Assert.Equal(2, measurements.Where(m => m.Instrument == "callpush.exports.rows").Sum(m => m.Value));
        Assert.Equal(run["bytes"]!.GetValue<long>(), measurements.Where(m => m.Instrument == "callpush.exports.bytes").Sum(m => m.Value));
        Assert.Equal(2, measurements.Count(m => m.Instrument == "callpush.exports.files"));
        Assert.Contains(measurements, m => m.Instrument == "callpush.exports.runs" && m.Tags.Contains(new("callpush.export.status", "success")));
        Assert.DoesNotContain(measurements, m => m.Instrument == "callpush.exports.failures");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
