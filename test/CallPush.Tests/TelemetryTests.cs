using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using CallPush.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace CallPush.Tests;

public sealed class TelemetryTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_stored_push_and_its_duplicate_each_have_a_span_and_are_counted()
    {
        // Other test classes push in this process at the same time: spans are picked out by this test's session id, and
        // measurements by this app's meter factory.
        var sessionId = Samples.NewSessionId();
        var body = Samples.CdrWith(cdr => cdr["SessionId"] = sessionId);
        var spans = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "CallPush",
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("callpush.session_id") as string == sessionId)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(activityListener);
        await using var app = await CallPushApp.StartAsync(postgres);
        using var measurements = new MeasurementRecorder(app.Services.GetRequiredService<IMeterFactory>());
        using var client = app.CreateClient();

        var first = await client.PushAndReadAsync("cdr", body, "uuid-telemetry-" + sessionId);
        var second = await client.PushAndReadAsync("cdr", body, "uuid-telemetry-" + sessionId);

        Assert.Equal(new PushReply(200, 0, "ok"), first);
        Assert.Equal(new PushReply(200, 0, "duplicate"), second);
        Assert.Collection(spans.OrderBy(span => span.StartTimeUtc),
            stored =>
            {
                Assert.Equal("push cdr", stored.DisplayName);
                Assert.Equal("cdr", stored.GetTagItem("callpush.action"));
                Assert.Equal("1", stored.GetTagItem("callpush.version"));
                Assert.Equal(1400482256L, stored.GetTagItem("callpush.sdk_app_id"));
                Assert.Equal("stored", stored.GetTagItem("callpush.outcome"));
                Assert.Equal(false, stored.GetTagItem("callpush.duplicate"));
                Assert.Equal(0, stored.GetTagItem("callpush.err_code"));
                Assert.Equal(ActivityStatusCode.Unset, stored.Status);
                Assert.Equal(
                    ["callpush.action", "callpush.duplicate", "callpush.err_code", "callpush.outcome", "callpush.sdk_app_id", "callpush.session_id", "callpush.version"],
                    stored.TagObjects.Select(tag => tag.Key).Order(StringComparer.Ordinal));
            },
            duplicate =>
            {
                Assert.Equal("duplicate", duplicate.GetTagItem("callpush.outcome"));
                Assert.Equal(true, duplicate.GetTagItem("callpush.duplicate"));
            });

        Assert.Equal(1, measurements.Sum("callpush.pushes", ("callpush.action", "cdr"), ("callpush.outcome", "stored")));
        Assert.Equal(1, measurements.Sum("callpush.pushes", ("callpush.action", "cdr"), ("callpush.outcome", "duplicate")));
        Assert.Equal(1, measurements.Sum("callpush.push.dedup_hits", ("callpush.action", "cdr")));
        var bodyBytes = Encoding.UTF8.GetByteCount(body);
        Assert.Equal([bodyBytes, bodyBytes], measurements.Values("callpush.push.body.size"));
        var durations = measurements.Values("callpush.push.duration");
        Assert.Equal(2, durations.Count);
        Assert.All(durations, seconds => Assert.InRange(seconds, 1e-6, 30));
    }

    [Fact]
    public async Task Rejected_pushes_are_counted_by_outcome()
    {
        await using var app = await CallPushApp.StartAsync(postgres, new Dictionary<string, string?> { ["CallPush:Push:MaxBodyBytes"] = "1024" });
        using var measurements = new MeasurementRecorder(app.Services.GetRequiredService<IMeterFactory>());
        using var client = app.CreateClient();

        var invalid = await client.PushAndReadAsync("cdr", "{not json", "uuid-invalid");
        var unknown = await client.PushAndReadAsync("../etc", Samples.Record, "uuid-unknown");
        var tooLarge = await client.PushAndReadAsync("voicemail", new string(' ', 2048), "uuid-too-large");

        Assert.Equal(4003, invalid.ErrCode);
        Assert.Equal(4002, unknown.ErrCode);
        Assert.Equal(4130, tooLarge.ErrCode);
        Assert.Equal(1, measurements.Sum("callpush.pushes", ("callpush.action", "cdr"), ("callpush.outcome", "rejected")));
        Assert.Equal(1, measurements.Sum("callpush.pushes", ("callpush.action", "unknown"), ("callpush.outcome", "rejected")));
        Assert.Equal(1, measurements.Sum("callpush.pushes", ("callpush.action", "voicemail"), ("callpush.outcome", "rejected")));
        Assert.Equal(0, measurements.Sum("callpush.pushes", ("callpush.outcome", "stored")));
        Assert.Equal(2, measurements.Values("callpush.push.body.size").Count);
    }

    [Fact]
    public async Task Refused_credentials_and_issued_tokens_are_counted()
    {
        await using var app = await CallPushApp.StartAsync(postgres, new Dictionary<string, string?>
        {
            ["CallPush:Auth:Mode"] = "OAuth2",
            ["CallPush:Auth:OAuth2:ClientId"] = "tccc",
            ["CallPush:Auth:OAuth2:ClientSecret"] = "a-long-client-secret-for-metrics",
        });
        using var measurements = new MeasurementRecorder(app.Services.GetRequiredService<IMeterFactory>());
        using var client = app.CreateClient();

        using var token = await client.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "tccc",
            ["client_secret"] = "a-long-client-secret-for-metrics",
        }));
        var refused = await client.PushAndReadAsync("record", Samples.Record, "uuid-no-token");

        Assert.True(token.IsSuccessStatusCode);
        Assert.Equal(4010, refused.ErrCode);
        Assert.Equal(1, measurements.Sum("callpush.auth.tokens_issued"));
        Assert.Equal(1, measurements.Sum("callpush.pushes", ("callpush.action", "record"), ("callpush.outcome", "unauthorized")));
    }

    [Fact]
    public async Task A_push_that_could_not_be_stored_is_counted_as_failed_and_its_span_is_an_error()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "CallPush",
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("callpush.session_id") as string == "session-of-a-failed-push")
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(activityListener);
        await using var app = new CallPushApp(await postgres.CreateEmptyDatabaseAsync(), new Dictionary<string, string?>
        {
            ["CallPush:Database:MigrateOnStartup"] = "false",
        });
        using var measurements = new MeasurementRecorder(app.Services.GetRequiredService<IMeterFactory>());
        using var client = app.CreateClient();

        var reply = await client.PushAndReadAsync("cdr", Samples.CdrWith(cdr => cdr["SessionId"] = "session-of-a-failed-push"), "uuid-failed");

        Assert.Equal(5030, reply.ErrCode);
        Assert.Equal(1, measurements.Sum("callpush.pushes", ("callpush.action", "cdr"), ("callpush.outcome", "failed")));
        var span = Assert.Single(spans);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(5030, span.GetTagItem("callpush.err_code"));
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_traces_metrics_and_logs_are_exported_and_health_requests_are_not_traced()
    {
        await using var collector = await OtlpCollector.StartAsync();
        var sessionId = Samples.NewSessionId();
        // The test server trusts every local connection, so the password is only there to be looked for.
        var connectionString = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync()) { Password = "pw-must-not-leak" }.ConnectionString;
        var app = new CallPushApp(connectionString, new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "callpush-export-test",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment.name=export-test",
        });
        await using (app)
        {
            await app.WaitUntilReadyAsync();
            using var client = app.CreateClient();
            using (var health = await client.GetAsync("/health/live", TestContext.Current.CancellationToken))
            {
                health.EnsureSuccessStatusCode();
            }
            var reply = await client.PushAndReadAsync("cdr", Samples.CdrWith(cdr => cdr["SessionId"] = sessionId), pushUuid: null);
            Assert.Equal(0, reply.ErrCode);
        }

        // Stopping the host shuts the SDK down, which exports what it still holds. (The test host's dispose can return
        // before that stop, run by the program's own Run(), has finished: hence the wait.)
        // The server span ends after the push's own span, and may come in a later export.
        var traces = await collector.ReceivedAsync("/v1/traces", sessionId, "POST /push", "INSERT INTO push_log");
        Assert.Contains("push cdr", traces, StringComparison.Ordinal);
        Assert.Contains(sessionId, traces, StringComparison.Ordinal);
        Assert.Contains("callpush-export-test", traces, StringComparison.Ordinal);
        Assert.Contains("export-test", traces, StringComparison.Ordinal);
        Assert.Contains("INSERT INTO push_log", traces, StringComparison.Ordinal);
        Assert.Contains("POST /push", traces, StringComparison.Ordinal);
        // Server spans only: other tests' real HTTP clients poll /health/ready while this SDK listens in the same process.
        Assert.DoesNotContain("GET /health", traces, StringComparison.Ordinal);
        Assert.DoesNotContain("/health/live", traces, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-must-not-leak", traces, StringComparison.Ordinal);
        var metrics = await collector.ReceivedAsync("/v1/metrics", until: "callpush.pushes");
        Assert.DoesNotContain("pw-must-not-leak", metrics, StringComparison.Ordinal);
        Assert.Contains("callpush.pushes", metrics, StringComparison.Ordinal);
        Assert.Contains("callpush.push.duration", metrics, StringComparison.Ordinal);
        Assert.Contains("http.server.request.duration", metrics, StringComparison.Ordinal);
        Assert.Contains("dotnet.gc.collections", metrics, StringComparison.Ordinal);
        // The service logs a push without X-TCCC-PUSH-UUID as a warning.
        Assert.Contains("without X-TCCC-PUSH-UUID", await collector.ReceivedAsync("/v1/logs", until: "X-TCCC-PUSH-UUID"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_push_has_a_server_span_with_its_route_and_status_and_a_readiness_request_has_no_span_at_all()
    {
        // Every tracer provider in this process sees every test's requests: each request here starts its own trace.
        var readinessTrace = ActivityTraceId.CreateRandom();
        var pushTrace = ActivityTraceId.CreateRandom();
        using var spans = new RecordedSpans();
        await using var collector = await OtlpCollector.StartAsync();
        await using var app = await CallPushApp.StartAsync(postgres, new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        app.Services.GetRequiredService<TracerProvider>().AddProcessor(spans);
        using var readinessClient = ClientInTrace(app, readinessTrace);
        using var pushClient = ClientInTrace(app, pushTrace);

        using (var ready = await readinessClient.GetAsync("/health/ready", TestContext.Current.CancellationToken))
        {
            ready.EnsureSuccessStatusCode();
        }
        var reply = await pushClient.PushAndReadAsync("cdr", Samples.CdrWith(cdr => cdr["SessionId"] = Samples.NewSessionId()), "uuid-server-span");

        Assert.Equal(new PushReply(200, 0, "ok"), reply);
        var server = await spans.WaitForAsync(span => span.TraceId == pushTrace && span.Kind == ActivityKind.Server);
        Assert.Equal("POST /push", server.DisplayName);
        Assert.Equal("/push", server.GetTagItem("http.route"));
        Assert.Equal(200, server.GetTagItem("http.response.status_code"));
        Assert.Contains(spans.InTrace(pushTrace), span => span.Source.Name == "CallPush");
        Assert.Contains(spans.InTrace(pushTrace), span => span.Source.Name == "Npgsql");
        Assert.Empty(spans.InTrace(readinessTrace));
    }

    private static HttpClient ClientInTrace(CallPushApp app, ActivityTraceId trace)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        return client;
    }

    /// <summary>The spans a tracer provider records, as its exporters receive them.</summary>
    private sealed class RecordedSpans : BaseProcessor<Activity>
    {
        private readonly ConcurrentQueue<Activity> _spans = new();

        public override void OnEnd(Activity data)
        {
            if (data.Recorded)
            {
                _spans.Enqueue(data);
            }
        }

        public List<Activity> InTrace(ActivityTraceId trace) => _spans.Where(span => span.TraceId == trace).ToList();

        /// <summary>The server span ends a moment after its answer has been sent.</summary>
        public async Task<Activity> WaitForAsync(Func<Activity, bool> match)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (true)
            {
                var found = _spans.FirstOrDefault(match);
                if (found is not null)
                {
                    return found;
                }
                Assert.True(DateTime.UtcNow < deadline, "the span was not recorded");
                await Task.Delay(20);
            }
        }
    }

    /// <summary>Records this app's CallPush measurements only.</summary>
    private sealed class MeasurementRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

        public MeasurementRecorder(IMeterFactory scope)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "CallPush" && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            _listener.Start();
        }

        public double Sum(string instrument, params (string Key, string Value)[] tags) =>
            Matching(instrument, tags).Sum(m => m.Value);

        public List<double> Values(string instrument) => Matching(instrument, []).Select(m => m.Value).ToList();

        private IEnumerable<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> Matching(string instrument, (string Key, string Value)[] tags) =>
            _measurements.Where(m => m.Instrument == instrument
                && tags.All(tag => m.Tags.Any(t => t.Key == tag.Key && Equals(t.Value, tag.Value))));

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>
    /// Receives OTLP over HTTP (protobuf) as a collector does, answering each export with an empty (successful) response.
    /// Protobuf keeps strings as UTF-8 bytes, so names and attribute values can be found in what arrived.
    /// </summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _requests = new();

        private OtlpCollector(WebApplication app) => _app = app;

        public string Endpoint => _app.Urls.First();

        public static async Task<OtlpCollector> StartAsync()
        {
            var app = LoopbackServer.Create(builder =>
                builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http1)));
            var collector = new OtlpCollector(app);
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                collector._requests.Enqueue((context.Request.Path.Value!, buffer.ToArray()));
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            return collector;
        }

        /// <summary>What arrived at the path, once it contains <paramref name="until"/> or after a while.</summary>
        /// <summary>What was received on the path, once every one of <paramref name="until"/> is in it (or after 30 s).</summary>
        public async Task<string> ReceivedAsync(string path, params string[] until)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                var received = string.Join('\n', _requests.Where(r => r.Path == path).Select(r => Encoding.UTF8.GetString(r.Body)));
                if (until.All(u => received.Contains(u, StringComparison.Ordinal)) || DateTime.UtcNow > deadline)
                {
                    return received;
                }
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
