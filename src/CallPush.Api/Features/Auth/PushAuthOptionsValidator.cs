using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

/// <summary>
/// Fails start-up on a mode that cannot work or on sources' credentials that are ambiguous, naming the environment
/// variable to set, never a value.
/// </summary>
internal sealed class PushAuthOptionsValidator(IOptions<PushSourcesOptions> sources) : IValidateOptions<PushAuthOptions>
{
    private const string Prefix = "CallPush__Auth__";

    public ValidateOptionsResult Validate(string? name, PushAuthOptions options)
    {
        var errors = new List<string>();
        if (options.ModeIsSet && !(Enum.TryParse<PushAuthMode>(options.Mode, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                && !int.TryParse(options.Mode, out _)))
        {
            errors.Add($"{Prefix}Mode is '{options.Mode}': expected None, Basic or OAuth2");
            return ValidateOptionsResult.Fail(errors);
        }
        if (options.MaxFailures < 1)
        {
            errors.Add($"{Prefix}MaxFailures must be at least 1");
        }
        if (options.FailureWindow <= TimeSpan.Zero)
        {
            errors.Add($"{Prefix}FailureWindow must be positive (for example 00:01:00)");
        }

        var mode = options.ParsedMode;
        // With sources that carry their own credentials, the global pair is optional: it may be left out entirely.
        var sourcesHaveOwn = sources.Value.Sources.Values.Any(s => s.HasCredentialsFor(mode));
        var modeRequires = $"{Prefix}Mode is {mode}";
        switch (mode)
        {
            case PushAuthMode.Basic:
                ValidateBasic(errors, Prefix + "Basic__", options.Basic, sourcesHaveOwn && !options.Basic.AnySet ? null : modeRequires);
                break;
            case PushAuthMode.OAuth2:
                ValidateOAuth2(errors, options.OAuth2, sourcesHaveOwn, modeRequires);
                break;
        }
        ValidateSources(errors, options, sources.Value);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateOAuth2(List<string> errors, OAuth2Options o, bool sourcesHaveOwn, string modeRequires)
    {
        var clientRequired = o.IntrospectionEndpoint is null && !sourcesHaveOwn || !string.IsNullOrEmpty(o.ClientId) || !string.IsNullOrEmpty(o.ClientSecret);
        ValidateClient(errors, Prefix + "OAuth2__", o, clientRequired ? modeRequires : null);
        if (o.TokenLifetime < TimeSpan.FromSeconds(1) || o.TokenLifetime > TimeSpan.FromDays(1))
        {
            errors.Add($"{Prefix}OAuth2__TokenLifetime must be between 00:00:01 and 1.00:00:00");
        }
        if (o.IntrospectionEndpoint is { } endpoint)
        {
            if (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https"))
            {
                errors.Add($"{Prefix}OAuth2__IntrospectionEndpoint must be an absolute http(s) URL");
            }
            ValidatePair(errors, $"{Prefix}OAuth2__IntrospectionClientId", o.IntrospectionClientId,
                $"{Prefix}OAuth2__IntrospectionClientSecret", o.IntrospectionClientSecret, $"{Prefix}OAuth2__IntrospectionEndpoint is set");
            if (o.IntrospectionClientSecret is { } secret && StoredSecret.LooksHashed(secret))
            {
                errors.Add($"{Prefix}OAuth2__IntrospectionClientSecret is sent to the authorization server, so it must be given in plain text, not hashed");
            }
            if (o.IntrospectionTimeout < TimeSpan.FromMilliseconds(100) || o.IntrospectionTimeout > TimeSpan.FromMinutes(1))
            {
                errors.Add($"{Prefix}OAuth2__IntrospectionTimeout must be between 00:00:00.1 and 00:01:00");
            }
            if (o.IntrospectionCacheDuration < TimeSpan.Zero)
            {
                errors.Add($"{Prefix}OAuth2__IntrospectionCacheDuration must not be negative");
            }
        }
        else if (o.IntrospectionClientId is not null || o.IntrospectionClientSecret is not null || o.IntrospectionAcceptedClientId is not null)
        {
            errors.Add($"{Prefix}OAuth2__IntrospectionEndpoint is required when the other Introspection* keys are set");
        }
    }

    /// <summary>
    /// Each source's credentials are complete, of the configured mode, and name ids no other source (nor the global
    /// credentials) uses; no SdkAppId belongs to two sources. Otherwise who may write an SdkAppId would be a guess.
    /// </summary>
    private static void ValidateSources(List<string> errors, PushAuthOptions options, PushSourcesOptions sources)
    {
        var mode = options.ParsedMode;
        var basicIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var clientIds = new Dictionary<string, string>(StringComparer.Ordinal);
        if (mode == PushAuthMode.Basic)
        {
            ClaimIds(errors, basicIds, Prefix + "Basic__", options.Basic.Username, options.Basic.SecondaryUsername, options.Basic.SecondaryPassword, "Username");
        }
        if (mode == PushAuthMode.OAuth2)
        {
            var o = options.OAuth2;
            ClaimIds(errors, clientIds, Prefix + "OAuth2__", o.ClientId, o.SecondaryClientId, o.SecondaryClientSecret, "ClientId");
        }

        var sdkAppIds = new Dictionary<long, string>();
        foreach (var (name, source) in sources.Sources.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var prefix = $"CallPush__Sources__{name}__";
            for (var i = 0; i < source.SdkAppIds.Count; i++)
            {
                if (sdkAppIds.TryGetValue(source.SdkAppIds[i], out var other) && other != name)
                {
                    errors.Add($"{prefix}SdkAppIds__{i} is also listed in CallPush__Sources__{other}__SdkAppIds: an SdkAppId belongs to one source");
                }
                sdkAppIds.TryAdd(source.SdkAppIds[i], name);
            }

            if (source.Auth?.Basic is { } basic && basic.AnySet)
            {
                ValidateBasic(errors, $"{prefix}Auth__Basic__", basic, $"{prefix}Auth__Basic is configured");
                if (mode == PushAuthMode.Basic)
                {
                    ClaimIds(errors, basicIds, $"{prefix}Auth__Basic__", basic.Username, basic.SecondaryUsername, basic.SecondaryPassword, "Username");
                }
            }
            if (source.Auth?.OAuth2 is { } client && client.AnySet)
            {
                ValidateClient(errors, $"{prefix}Auth__OAuth2__", client, $"{prefix}Auth__OAuth2 is configured");
                if (mode == PushAuthMode.OAuth2)
                {
                    ClaimIds(errors, clientIds, $"{prefix}Auth__OAuth2__", client.ClientId, client.SecondaryClientId, client.SecondaryClientSecret, "ClientId");
                }
            }
            if (source.HasCredentials && !source.HasCredentialsFor(mode))
            {
                errors.Add(mode == PushAuthMode.None
                    ? $"{prefix}Auth is configured but {Prefix}Mode is None: pushes would not be authenticated at all; set the Mode or remove the source's credentials"
                    : $"{prefix}Auth has no {mode} credentials but {Prefix}Mode is {mode}: set {prefix}Auth__{mode}__... or remove the source's credentials");
            }
        }
    }

    /// <summary>Records which key owns each username or client id; an id owned by two keys' owners is an error naming both keys.</summary>
    private static void ClaimIds(List<string> errors, Dictionary<string, string> owners, string prefix, string? id, string? secondaryId, string? secondarySecret, string idName)
    {
        Claim(id, prefix + idName);
        if (secondarySecret is not null)
        {
            Claim(secondaryId ?? id, prefix + (secondaryId is null ? idName : "Secondary" + idName));
        }

        void Claim(string? value, string key)
        {
            if (string.IsNullOrEmpty(value))
            {
                return;
            }
            if (owners.TryGetValue(value, out var owner))
            {
                if (!SameOwner(owner, key))
                {
                    errors.Add($"{key} is the same as {owner}: a {(idName == "Username" ? "username" : "client id")} belongs to one source");
                }
                return;
            }
            owners[value] = key;
        }

        static bool SameOwner(string a, string b) => string.Equals(Owner(a), Owner(b), StringComparison.OrdinalIgnoreCase);

        static string Owner(string key) => key[..key.LastIndexOf("__", StringComparison.Ordinal)];
    }

    private static void ValidateBasic(List<string> errors, string prefix, BasicAuthOptions basic, string? requiredWhen) =>
        ValidateCredentials(errors, prefix, "Username", basic.Username, "Password", basic.Password,
            basic.SecondaryUsername, basic.SecondaryPassword, requiredWhen);

    private static void ValidateClient(List<string> errors, string prefix, OAuth2ClientOptions client, string? requiredWhen) =>
        ValidateCredentials(errors, prefix, "ClientId", client.ClientId, "ClientSecret", client.ClientSecret,
            client.SecondaryClientId, client.SecondaryClientSecret, requiredWhen);

    /// <summary>The primary pair, required when <paramref name="requiredWhen"/> says why, and a secondary pair that needs its secret.</summary>
    private static void ValidateCredentials(List<string> errors, string prefix, string idName, string? id, string secretName, string? secret,
        string? secondaryId, string? secondarySecret, string? requiredWhen)
    {
        var idKey = prefix + idName;
        if (requiredWhen is not null)
        {
            ValidatePair(errors, idKey, id, prefix + secretName, secret, requiredWhen);
        }
        else if (secondaryId is not null || secondarySecret is not null)
        {
            errors.Add($"{idKey} is required when {prefix}Secondary{secretName} or {prefix}Secondary{idName} is set");
        }
        var secondaryIdKey = prefix + "Secondary" + idName;
        var secondarySecretKey = prefix + "Secondary" + secretName;
        if (secondarySecret is null && secondaryId is not null)
        {
            errors.Add($"{secondarySecretKey} is required when {secondaryIdKey} is set");
        }
        if (secondaryId is not null && secondaryId.Contains(':', StringComparison.Ordinal))
        {
            errors.Add($"{secondaryIdKey} must not contain ':' (Basic authentication splits on it)");
        }
        ValidateSecret(errors, secondarySecretKey, secondarySecret, required: false, requiredWhen ?? $"{secondaryIdKey} is set");
    }

    private static void ValidatePair(List<string> errors, string idKey, string? id, string secretKey, string? secret, string requiredWhen)
    {
        if (string.IsNullOrEmpty(id))
        {
            errors.Add($"{idKey} is required when {requiredWhen}");
        }
        else if (id.Contains(':', StringComparison.Ordinal))
        {
            errors.Add($"{idKey} must not contain ':' (Basic authentication splits on it)");
        }
        ValidateSecret(errors, secretKey, secret, required: true, requiredWhen);
    }

    private static void ValidateSecret(List<string> errors, string key, string? secret, bool required, string requiredWhen)
    {
        if (string.IsNullOrEmpty(secret))
        {
            if (required || secret is not null)
            {
                errors.Add($"{key} is required when {requiredWhen}");
            }
            return;
        }
        if (StoredSecret.LooksHashed(secret) && !StoredSecret.TryParse(secret, out _))
        {
            errors.Add($"{key} looks like a hash but is malformed: make it with 'dotnet run --project src/CallPush.Api -- hash-secret'");
        }
    }
}
