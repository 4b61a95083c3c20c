using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Reconciliation;

/// <summary><c>CallPush:Sources:&lt;name&gt;</c>: the contact centers CallPush serves, by name.</summary>
internal sealed class SourcesOptions
{
    public const string Section = "CallPush";

    public Dictionary<string, SourceOptions> Sources { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The sources reconciliation can pull from: those with API credentials.</summary>
    public IEnumerable<(string Name, SourceOptions Source)> WithCloudApi() =>
        Sources.Where(s => s.Value.CloudApi is not null).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => (s.Key, s.Value));
}

internal sealed class SourceOptions
{
    public List<long> SdkAppIds { get; set; } = [];
    public CloudApiOptions? CloudApi { get; set; }
}

/// <summary>The Tencent Cloud API credentials of a source. The secret key is never logged or shown.</summary>
internal sealed class CloudApiOptions
{
    public const string DefaultEndpoint = "https://ccc.tencentcloudapi.com";

    public string? SecretId { get; set; }
    public string? SecretKey { get; set; }
    public string? Region { get; set; }
    public string Endpoint { get; set; } = DefaultEndpoint;

    public override string ToString() => $"SecretId={SecretId}, Region={Region}, Endpoint={Endpoint}";
}

/// <summary>Fails start-up on a half-configured source, naming the setting, never its value.</summary>
internal sealed class SourcesOptionsValidator : IValidateOptions<SourcesOptions>
{
    public ValidateOptionsResult Validate(string? name, SourcesOptions options)
    {
        var failures = new List<string>();
        foreach (var (sourceName, source) in options.Sources)
        {
            var prefix = $"CallPush__Sources__{sourceName}__";
            if (source.SdkAppIds.Count == 0 || source.SdkAppIds.Any(id => id <= 0))
            {
                failures.Add($"{prefix}SdkAppIds must list the source's SdkAppIds (positive numbers)");
            }
            if (source.CloudApi is not { } api)
            {
                continue;
            }
            if (string.IsNullOrWhiteSpace(api.SecretId))
            {
                failures.Add($"{prefix}CloudApi__SecretId must be set when {prefix}CloudApi is configured");
            }
            if (string.IsNullOrWhiteSpace(api.SecretKey))
            {
                failures.Add($"{prefix}CloudApi__SecretKey must be set when {prefix}CloudApi is configured");
            }
            if (!Uri.TryCreate(api.Endpoint, UriKind.Absolute, out var endpoint)
                || endpoint.Scheme is not ("https" or "http") || endpoint.AbsolutePath != "/" || !string.IsNullOrEmpty(endpoint.Query))
            {
                failures.Add($"{prefix}CloudApi__Endpoint must be an http(s) URL of the API root, like {CloudApiOptions.DefaultEndpoint}");
            }
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
