using FastEndpoints.Swagger;
using NSwag;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace CallPush.Api.Features.Auth;

/// <summary>
/// The OpenAPI document's security: the three ways the console offers (HTTP Basic, a bearer token, OAuth 2.0 client
/// credentials with this service's token URL), and on each operation the one its configured scheme requires.
/// </summary>
internal sealed class PushAuthOpenApi(PushCredentials credentials) : IDocumentProcessor, IOperationProcessor
{
    public const string OAuth2 = "oauth2";

    public void Process(DocumentProcessorContext context)
    {
        var schemes = context.Document.Components.SecuritySchemes;
        schemes[PushAuthScheme.Basic] = new OpenApiSecurityScheme
        {
            Type = OpenApiSecuritySchemeType.Http,
            Scheme = "basic",
            Description = "CallPush__Auth__Mode=Basic: the console's Account Password (CallPush__Auth__Basic__Username and Password).",
        };
        schemes[PushAuthScheme.Bearer] = new OpenApiSecurityScheme
        {
            Type = OpenApiSecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "CallPush__Auth__Mode=OAuth2: a token from /oauth/token, or from the external authorization server checked by introspection.",
        };
        schemes[OAuth2] = new OpenApiSecurityScheme
        {
            Type = OpenApiSecuritySchemeType.OAuth2,
            Description = "CallPush__Auth__Mode=OAuth2: the console's OAuth2.0, client credentials from CallPush__Auth__OAuth2__ClientId and ClientSecret.",
            Flows = new OpenApiOAuthFlows { ClientCredentials = new OpenApiOAuthFlow { TokenUrl = TokenEndpoint.Path } },
        };
    }

    public bool Process(OperationProcessorContext context)
    {
        var required = context.GetEndpointDefinition()?.AuthSchemeNames;
        if (required is null)
        {
            return true;
        }
        var security = context.OperationDescription.Operation.Security ??= [];
        foreach (var scheme in required)
        {
            Require(security, scheme);
            if (scheme == PushAuthScheme.Bearer && credentials.IssuesTokens)
            {
                Require(security, OAuth2);
            }
        }
        return true;
    }

    private static void Require(ICollection<OpenApiSecurityRequirement> security, string scheme)
    {
        if (!security.Any(requirement => requirement.ContainsKey(scheme)))
        {
            security.Add(new OpenApiSecurityRequirement { [scheme] = [] });
        }
    }
}
