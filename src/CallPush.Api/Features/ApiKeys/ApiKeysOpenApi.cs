using FastEndpoints.Swagger;
using NSwag;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace CallPush.Api.Features.ApiKeys;

/// <summary>The analyst API's security in the OpenAPI document: the key as a bearer token, or in the X-API-Key header.</summary>
internal sealed class ApiKeysOpenApi : IDocumentProcessor, IOperationProcessor
{
    public const string HeaderScheme = "apikey-header";

    public void Process(DocumentProcessorContext context)
    {
        var schemes = context.Document.Components.SecuritySchemes;
        schemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
        {
            Type = OpenApiSecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An analyst API key (cpk_...), created with 'api-keys create --name <name>'.",
        };
        schemes[HeaderScheme] = new OpenApiSecurityScheme
        {
            Type = OpenApiSecuritySchemeType.ApiKey,
            In = OpenApiSecurityApiKeyLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "The same analyst API key in the X-API-Key header.",
        };
    }

    public bool Process(OperationProcessorContext context)
    {
        if (context.GetEndpointDefinition()?.AuthSchemeNames?.Contains(ApiKeyAuthenticationHandler.SchemeName) != true)
        {
            return true;
        }
        var security = context.OperationDescription.Operation.Security ??= [];
        foreach (var scheme in new[] { ApiKeyAuthenticationHandler.SchemeName, HeaderScheme })
        {
            if (!security.Any(requirement => requirement.ContainsKey(scheme)))
            {
                security.Add(new OpenApiSecurityRequirement { [scheme] = [] });
            }
        }
        return true;
    }
}
