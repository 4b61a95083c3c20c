using OpenTelemetry.Trace;

namespace CallPush.Api.Diagnostics;

/// <summary>
/// Drops the server span of a /health/* request, and with it every span under it (the readiness check's query), before
/// anything is recorded; everything else is left to the configured sampler.
/// </summary>
internal sealed class HealthRequestSampler(Sampler inner, IHttpContextAccessor httpContext) : Sampler
{
    private const string ServerSpan = "Microsoft.AspNetCore.Hosting.HttpRequestIn";
    private static readonly PathString HealthPrefix = "/health";

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        // ASP.NET Core 10 starts its server activity without url.path; the request it belongs to is already current.
        if (samplingParameters.Name == ServerSpan && httpContext.HttpContext?.Request.Path.StartsWithSegments(HealthPrefix) == true)
        {
            return new SamplingResult(SamplingDecision.Drop);
        }
        return inner.ShouldSample(samplingParameters);
    }
}
