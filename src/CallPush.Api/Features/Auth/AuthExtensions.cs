using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using NSwag.Generation.Processors;

namespace CallPush.Api.Features.Auth;

internal static class AuthExtensions
{
    /// <summary>
    /// The authentication scheme of <c>CallPush__Auth__Mode</c> (none, Basic, or bearer tokens from /oauth/token or an
    /// external authorization server), what it needs, the token endpoint's token store, and the sources' own
    /// credentials with the SdkAppIds each may write.
    /// </summary>
    public static WebApplicationBuilder AddPushAuthentication(this WebApplicationBuilder builder)
    {
        // Checked here, while the host is being built, rather than only at start: a failure at start races with the
        // host's disposal, and the message naming the key must always come out.
        var configured = builder.Configuration.GetSection(PushAuthOptions.Section).Get<PushAuthOptions>() ?? new PushAuthOptions();
        var sources = builder.Configuration.GetSection(PushSourcesOptions.Section).Get<PushSourcesOptions>() ?? new PushSourcesOptions();
        var validation = new PushAuthOptionsValidator(Options.Create(sources)).Validate(Options.DefaultName, configured);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(PushAuthOptions), validation.Failures);
        }
        builder.Services.AddOptions<PushAuthOptions>().BindConfiguration(PushAuthOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PushAuthOptions>, PushAuthOptionsValidator>();
        builder.Services.AddPushTenancy();
        builder.Services.AddSingleton<PushCredentials>();
        builder.Services.AddSingleton<AccessTokenStore>();
        builder.Services.AddSingleton<TokenIntrospection>();
        builder.Services.AddSingleton<FailureLimiter>();
        builder.Services.AddHostedService<ExpiredTokenPurger>();
        builder.Services.AddHostedService<AuthStartupReport>();
        builder.Services.AddSingleton<PushAuthOpenApi>();
        builder.Services.AddSingleton<IDocumentProcessor>(services => services.GetRequiredService<PushAuthOpenApi>());
        builder.Services.AddSingleton<IOperationProcessor>(services => services.GetRequiredService<PushAuthOpenApi>());

        var scheme = PushAuthScheme.For(configured.ParsedMode);
        builder.Services.AddSingleton(scheme);
        // ASP.NET Core makes a lone scheme the default, so the authentication middleware would run the push handler on every
        // request (a token request or a health probe would count as a failed push). Only /push asks for its scheme.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        var authentication = builder.Services.AddAuthentication();
        switch (scheme.Name)
        {
            case PushAuthScheme.Basic:
                authentication.AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(PushAuthScheme.Basic, null);
                break;
            case PushAuthScheme.Bearer:
                authentication.AddScheme<AuthenticationSchemeOptions, BearerTokenAuthenticationHandler>(PushAuthScheme.Bearer, null);
                break;
        }
        builder.Services.AddAuthorization();

        var timeout = configured.OAuth2.IntrospectionTimeout;
        builder.Services.AddHttpClient(TokenIntrospection.HttpClientName).AddStandardResilienceHandler(resilience =>
        {
            // The whole call, retries included, within the configured timeout; two quick retries of transient failures;
            // a breaker that stops calling a dead server for a while (its answers are then 503, and the platform retries).
            resilience.TotalRequestTimeout.Timeout = timeout;
            resilience.AttemptTimeout.Timeout = timeout / 2;
            resilience.Retry.MaxRetryAttempts = 2;
            resilience.Retry.Delay = TimeSpan.FromMilliseconds(100);
            resilience.CircuitBreaker.MinimumThroughput = 5;
            resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(15);
            resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, timeout.TotalSeconds));
        });
        return builder;
    }

    /// <summary>The sources' push credentials and the SdkAppIds each may write; push ingestion needs it in the service commands too.</summary>
    public static IServiceCollection AddPushTenancy(this IServiceCollection services)
    {
        if (services.Any(s => s.ServiceType == typeof(PushTenancy)))
        {
            return services;
        }
        services.AddOptions<PushSourcesOptions>().BindConfiguration(PushSourcesOptions.Section);
        services.AddSingleton<PushTenancy>();
        return services;
    }
}
