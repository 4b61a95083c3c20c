using Microsoft.AspNetCore.Authentication;
using NSwag.Generation.Processors;

namespace CallPush.Api.Features.ApiKeys;

internal static class ApiKeysExtensions
{
    /// <summary>The analyst API's authentication scheme (<c>apikey</c>) and its key store. No default scheme: each endpoint names its own.</summary>
    public static WebApplicationBuilder AddApiKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddSingleton<ApiKeysOpenApi>();
        builder.Services.AddSingleton<IDocumentProcessor>(services => services.GetRequiredService<ApiKeysOpenApi>());
        builder.Services.AddSingleton<IOperationProcessor>(services => services.GetRequiredService<ApiKeysOpenApi>());
        return builder;
    }
}
