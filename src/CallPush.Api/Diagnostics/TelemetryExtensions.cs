using System.Diagnostics;
using System.Reflection;
using CallPush.Api.Hosting;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CallPush.Api.Diagnostics;

/// <summary>
/// Metrics and spans are always produced (cheaply: nothing is recorded without a listener); they, and the logs, are
/// exported with OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
internal static class TelemetryExtensions
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string DefaultServiceName = "callpush";

    public static readonly string[] TraceSources = [CallPushTracing.SourceName, "Microsoft.AspNetCore", "System.Net.Http", "Npgsql"];

    public static readonly string[] Meters =
    [
        CallPushMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting", "System.Net.Http", "Npgsql", "System.Runtime",
    ];

    public static WebApplicationBuilder AddCallPushTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallPushMetrics>();
        // The health-request sampler finds the request being started through it.
        builder.Services.AddHttpContextAccessor();
        builder.Services.Configure<JsonConsoleFormatterOptions>(options =>
        {
            // JSON lines (Logging__Console__FormatterName=json) carry a UTC timestamp unless configured otherwise.
            if (options.TimestampFormat is null)
            {
                options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                options.UseUtcTimestamp = true;
            }
        });

        if (!IsExportEnabled(builder.Configuration))
        {
            return builder;
        }
        if (!Uri.TryCreate(builder.Configuration[EndpointVariable], UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            StartupFailure.Exit($"{EndpointVariable} must be an absolute http:// or https:// URL, e.g. http://otel-collector:4317");
        }
        var resource = Resource();
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.SetResourceBuilder(resource);
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            logging.AddOtlpExporter();
        });
        builder.Services.AddSingleton(services => new OpenTelemetryExport(
            services.GetRequiredService<IConfiguration>(), resource, services, services.GetRequiredService<ILogger<OpenTelemetryExport>>()));
        builder.Services.AddHostedService(services => services.GetRequiredService<OpenTelemetryExport>());
        return builder;
    }

    public static bool IsExportEnabled(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[EndpointVariable])
        && !string.Equals(configuration["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>service.name</c> callpush unless <c>OTEL_SERVICE_NAME</c> or <c>OTEL_RESOURCE_ATTRIBUTES</c> say otherwise.</summary>
    private static ResourceBuilder Resource()
    {
        var version = typeof(TelemetryExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return ResourceBuilder.CreateEmpty()
            .AddService(DefaultServiceName, serviceVersion: version?.Split('+')[0], serviceInstanceId: Environment.MachineName)
            .AddTelemetrySdk()
            // After AddService, so that OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override its defaults.
            .AddEnvironmentVariableDetector();
    }
}

/// <summary>
/// The OpenTelemetry SDK for traces and metrics, owned by the host: created before the other hosted services start (so
/// migrations are traced too) and shut down after the server has drained, so the last spans and metrics are exported.
/// </summary>
internal sealed partial class OpenTelemetryExport(
    IConfiguration configuration, ResourceBuilder resource, IServiceProvider services, ILogger<OpenTelemetryExport> logger)
    : IHostedLifecycleService, IDisposable
{
    private const int ShutdownMilliseconds = 5000;

    private OpenTelemetrySdk? _sdk;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _sdk = OpenTelemetrySdk.Create(otel =>
        {
            // The exporter reads OTEL_* from the host's configuration (environment included) rather than the environment alone.
            otel.Services.AddSingleton(configuration);
            otel.WithTracing(tracing =>
            {
                tracing.SetResourceBuilder(resource)
                    .AddSource(TelemetryExtensions.TraceSources)
                    .ConfigureSampler((_, sampler) => new HealthRequestSampler(sampler, services.GetRequiredService<IHttpContextAccessor>()))
                    .AddOtlpExporter();
                foreach (var processor in services.GetServices<BaseProcessor<Activity>>())
                {
                    tracing.AddProcessor(processor);
                }
            });
            otel.WithMetrics(metrics => metrics
                .SetResourceBuilder(resource)
                .AddMeter(TelemetryExtensions.Meters)
                .AddOtlpExporter());
        });
        LogExporting(logger, configuration[TelemetryExtensions.EndpointVariable]);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        Shutdown();
        return Task.CompletedTask;
    }

    public void Dispose() => Shutdown();

    private void Shutdown()
    {
        var sdk = Interlocked.Exchange(ref _sdk, null);
        if (sdk is null)
        {
            return;
        }
        sdk.TracerProvider.Shutdown(ShutdownMilliseconds);
        sdk.MeterProvider.Shutdown(ShutdownMilliseconds);
        sdk.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Exporting traces, metrics and logs with OTLP to {Endpoint}")]
    private static partial void LogExporting(ILogger logger, string? endpoint);
}
