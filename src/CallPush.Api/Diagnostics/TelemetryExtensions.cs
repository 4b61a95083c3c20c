using System.Reflection;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CallPush.Api.Diagnostics;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, traces, metrics and logs go through the OpenTelemetry SDK, which the
/// host starts and, when it stops, flushes, and are exported with OTLP. Without it the SDK is not started at all.
/// </summary>
internal static class TelemetryExtensions
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string DefaultServiceName = "callpush";

    private static readonly PathString HealthPrefix = "/health";

    public static WebApplicationBuilder AddCallPushTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallPushMetrics>();
        builder.Services.Configure<JsonConsoleFormatterOptions>(options =>
        {
            // JSON lines (Logging__Console__FormatterName=json) carry a UTC timestamp unless configured otherwise.
            if (options.TimestampFormat is null)
            {
                options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                options.UseUtcTimestamp = true;
            }
        });

        var exportEnabled = !string.IsNullOrWhiteSpace(builder.Configuration[EndpointVariable])
            && !string.Equals(builder.Configuration["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase);
        if (!exportEnabled)
        {
            // Without an exporter the SDK would record and tag every request's spans for nobody. The CallPush meter
            // and ActivitySource still serve in-process listeners (dotnet-counters, dotnet-trace).
            return builder;
        }

        // The exporter itself does not refuse a malformed endpoint (one it cannot parse it replaces with localhost).
        builder.Services.AddOptions<OtlpExporterOptions>()
            .Validate<IConfiguration>((_, configuration) => IsHttpUrl(configuration[EndpointVariable]),
                $"{EndpointVariable} must be an absolute http:// or https:// URL, e.g. http://otel-collector:4317")
            .ValidateOnStart();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(DescribeService)
            .WithTracing(tracing => tracing
                // Leaving the request out also leaves out everything under it, such as the readiness check's query.
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !context.Request.Path.StartsWithSegments(HealthPrefix))
                .AddHttpClientInstrumentation()
                .AddSource(CallPushTracing.SourceName, "Npgsql"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(CallPushMetrics.MeterName, "Npgsql", "System.Runtime"))
            .WithLogging(configureBuilder: null, configureOptions: logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
            })
            // Reads the other OTEL_EXPORTER_OTLP_* settings from the host's configuration, the environment included.
            .UseOtlpExporter();
        return builder;
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is ("http" or "https");

    /// <summary><c>service.name</c> callpush unless <c>OTEL_SERVICE_NAME</c> or <c>OTEL_RESOURCE_ATTRIBUTES</c> say otherwise.</summary>
    private static void DescribeService(ResourceBuilder resource)
    {
        var version = typeof(TelemetryExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        // The default resource reads the environment first; it has to come after AddService to override its defaults.
        resource.Clear()
            .AddService(DefaultServiceName, serviceVersion: version?.Split('+')[0], serviceInstanceId: Environment.MachineName)
            .AddTelemetrySdk()
            .AddEnvironmentVariableDetector();
    }
}
