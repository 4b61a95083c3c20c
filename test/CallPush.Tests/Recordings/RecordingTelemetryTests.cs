using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using CallPush.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CallPush.Tests.Recordings;

public sealed class RecordingTelemetryTests(PostgresFixture postgres) : ArchiveTest(postgres)
{
    [Fact]
    public async Task Archived_files_bytes_failures_by_reason_fetch_durations_queue_gauges_and_a_span_per_fetch_are_recorded()
    {
        var bytes = Mp3Bytes.Cbr(25);
        Source.Serve("/ok.mp3", bytes);
        Source.Handle("/bad.mp3", (context, _) => { context.Response.StatusCode = 400; return Task.CompletedTask; });
        Source.Handle("/busy.mp3", (context, _) => { context.Response.StatusCode = 503; return Task.CompletedTask; });
        var session = Samples.NewSessionId();
        var spans = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "CallPush",
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "recording fetch" && Equals(activity.GetTagItem("callpush.session_id"), session))
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(activities);
        await using var app = await CallPushApp.StartAsync(Postgres, Settings(("RetryDelay", "00:10:00")));
        var measurements = new ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)>();
        using var meters = new MeterListener();
        var scope = app.Services.GetRequiredService<IMeterFactory>();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "CallPush" && ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Name.StartsWith("callpush.recordings", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        meters.Start();
        using var client = app.CreateClient();

        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/ok.mp3?sign=secret"), recordId: "ok"), "ok");
        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/bad.mp3?sign=secret"), recordId: "bad"), "bad");
        await client.PushAndReadAsync("record", RecordPush(session, Source.Url("/busy.mp3?sign=secret"), recordId: "busy"), "busy");
        await WaitUntilAsync(app, "SELECT bool_and(status <> 'pending' OR last_error IS NOT NULL) FROM recording_files");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        double Last(string instrument) => measurements.LastOrDefault(m => m.Instrument == instrument).Value;
        while (Last("callpush.recordings.queue.depth") != 1 || spans.Count < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the queue gauges or the spans did not show the pending file");
            meters.RecordObservableInstruments();
            await Task.Delay(100);
        }

        double Sum(string instrument, string? reason = null) => measurements
            .Where(m => m.Instrument == instrument && (reason is null || m.Tags.Any(t => t.Key == "reason" && Equals(t.Value, reason))))
            .Sum(m => m.Value);
        Assert.Equal(1, Sum("callpush.recordings.archived"));
        Assert.Equal(bytes.Length, Sum("callpush.recordings.archived.bytes"));
        Assert.Equal(1, Sum("callpush.recordings.failures", "http_4xx"));
        Assert.Equal(1, Sum("callpush.recordings.failures", "http_5xx"));
        Assert.Equal(3, measurements.Count(m => m.Instrument == "callpush.recordings.fetch.duration"));
        Assert.True(Last("callpush.recordings.queue.oldest_pending_age") > 0);
        Assert.All(spans, span =>
        {
            Assert.Equal("127.0.0.1", span.GetTagItem("server.address"));
            Assert.Equal("record", span.GetTagItem("callpush.recording.kind"));
            Assert.DoesNotContain(span.TagObjects, tag => tag.Value?.ToString()?.Contains("secret", StringComparison.Ordinal) == true);
        });
        Assert.Equal([ActivityStatusCode.Unset, ActivityStatusCode.Error, ActivityStatusCode.Error], spans.Select(s => s.Status).Order());
    }
}
