using System.Globalization;

namespace CallPush.Api.Features.Exports;

/// <summary>
/// The layout of an export: <c>CCAAS/FACTS/[TENANT]-[CONTAINER]-F/[YYYYMMDD]-[TENANT]-[CONTAINER]-F.csv</c> and
/// <c>CCAAS/DIMENSIONS/[TENANT]-[CONTAINER]-D/[TENANT]-[CONTAINER]-D.csv</c>, with <c>.gz</c> appended when compressed.
/// </summary>
internal static class ExportPaths
{
    public static string Fact(string tenant, ExportContainer container, DateOnly day, bool gzip) =>
        $"CCAAS/FACTS/{tenant}-{container.Name}-F/{day.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{tenant}-{container.Name}-F.csv{(gzip ? ".gz" : "")}";

    public static string Dimension(string tenant, ExportContainer container, bool gzip) =>
        $"CCAAS/DIMENSIONS/{tenant}-{container.Name}-D/{tenant}-{container.Name}-D.csv{(gzip ? ".gz" : "")}";

    public static string Manifest(long runId) => $"CCAAS/MANIFESTS/run-{runId.ToString("D8", CultureInfo.InvariantCulture)}.json";

    /// <summary>The tenant's name in paths: the configured name, else the SdkAppId.</summary>
    public static string Tenant(long sdkAppId, IReadOnlyDictionary<string, string> names) =>
        names.TryGetValue(sdkAppId.ToString(CultureInfo.InvariantCulture), out var name) && !string.IsNullOrWhiteSpace(name)
            ? name
            : sdkAppId.ToString(CultureInfo.InvariantCulture);
}
