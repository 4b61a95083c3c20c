using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Auth;

/// <summary>Fails start-up on a mode that cannot work, naming the environment variable to set.</summary>
internal sealed class PushAuthOptionsValidator : IValidateOptions<PushAuthOptions>
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

        switch (options.ParsedMode)
        {
            case PushAuthMode.Basic:
                ValidatePair(errors, "Basic__Username", options.Basic.Username, "Basic__Password", options.Basic.Password);
                ValidateSecondary(errors, "Basic__SecondaryUsername", options.Basic.SecondaryUsername, "Basic__SecondaryPassword", options.Basic.SecondaryPassword);
                break;
            case PushAuthMode.OAuth2:
                ValidateOAuth2(errors, options.OAuth2);
                break;
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateOAuth2(List<string> errors, OAuth2Options o)
    {
        if (o.IntrospectionEndpoint is null || !string.IsNullOrEmpty(o.ClientId) || !string.IsNullOrEmpty(o.ClientSecret))
        {
            ValidatePair(errors, "OAuth2__ClientId", o.ClientId, "OAuth2__ClientSecret", o.ClientSecret);
        }
        ValidateSecondary(errors, "OAuth2__SecondaryClientId", o.SecondaryClientId, "OAuth2__SecondaryClientSecret", o.SecondaryClientSecret);
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
            ValidatePair(errors, "OAuth2__IntrospectionClientId", o.IntrospectionClientId, "OAuth2__IntrospectionClientSecret", o.IntrospectionClientSecret);
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

    private static string Mode(string key) => key.StartsWith("Basic", StringComparison.Ordinal) ? "Basic" : "OAuth2";

    private static void ValidatePair(List<string> errors, string idKey, string? id, string secretKey, string? secret)
    {
        if (string.IsNullOrEmpty(id))
        {
            errors.Add($"{Prefix}{idKey} is required when {Prefix}Mode is {Mode(idKey)}");
        }
        else if (id.Contains(':', StringComparison.Ordinal))
        {
            errors.Add($"{Prefix}{idKey} must not contain ':' (Basic authentication splits on it)");
        }
        ValidateSecret(errors, secretKey, secret, required: true);
    }

    private static void ValidateSecondary(List<string> errors, string idKey, string? id, string secretKey, string? secret)
    {
        if (secret is null && id is not null)
        {
            errors.Add($"{Prefix}{secretKey} is required when {Prefix}{idKey} is set");
        }
        if (id is not null && id.Contains(':', StringComparison.Ordinal))
        {
            errors.Add($"{Prefix}{idKey} must not contain ':' (Basic authentication splits on it)");
        }
        ValidateSecret(errors, secretKey, secret, required: false);
    }

    private static void ValidateSecret(List<string> errors, string key, string? secret, bool required)
    {
        if (string.IsNullOrEmpty(secret))
        {
            if (required || secret is not null)
            {
                errors.Add($"{Prefix}{key} is required when {Prefix}Mode is {Mode(key)}");
            }
            return;
        }
        if (StoredSecret.LooksHashed(secret) && !StoredSecret.TryParse(secret, out _))
        {
            errors.Add($"{Prefix}{key} looks like a hash but is malformed: make it with 'dotnet run --project src/CallPush.Api -- hash-secret'");
        }
    }
}
