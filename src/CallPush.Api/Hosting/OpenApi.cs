using System.ComponentModel.DataAnnotations;
using System.Reflection;
using FastEndpoints;
using FastEndpoints.Swagger;
using NJsonSchema;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace CallPush.Api.Hosting;

public sealed class OpenApiOptions
{
    public const string Section = "CallPush:OpenApi";

    /// <summary>Serve the Swagger UI at /swagger; the document at /openapi/v1.json is always served.</summary>
    public bool UiEnabled { get; set; } = true;
}

/// <summary>
/// The OpenAPI document of every endpoint at /openapi/v1.json (and a UI at /swagger), for integrators and API testers.
/// Features add what only they know (security schemes, examples) as NSwag processors registered in the container.
/// </summary>
internal static class OpenApi
{
    public const string DocumentPath = "/openapi/{documentName}.json";
    public const string UiPath = "/swagger";

    public static WebApplicationBuilder AddCallPushOpenApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<OpenApiOptions>().BindConfiguration(OpenApiOptions.Section);
        builder.Services.SwaggerDocument(document =>
        {
            document.EnableJWTBearerAuth = false;
            document.ShortSchemaNames = true;
            document.DocumentSettings = settings =>
            {
                settings.DocumentName = "v1";
                settings.Title = "CallPush";
                settings.Version = "v1";
                settings.Description = "Receives the CDR, recording and voicemail pushes of Tencent Cloud Contact Center and stores each exactly once.";
                // FastEndpoints applies these settings more than once: add each processor once.
                if (!settings.OperationProcessors.OfType<AllowedValuesProcessor>().Any())
                {
                    settings.OperationProcessors.Add(new AllowedValuesProcessor());
                }
                foreach (var processor in document.Services.GetServices<IOperationProcessor>().Where(p => !settings.OperationProcessors.Contains(p)))
                {
                    settings.OperationProcessors.Add(processor);
                }
                foreach (var processor in document.Services.GetServices<IDocumentProcessor>().Where(p => !settings.DocumentProcessors.Contains(p)))
                {
                    settings.DocumentProcessors.Add(processor);
                }
            };
        });
        return builder;
    }

    public static WebApplication UseCallPushOpenApi(this WebApplication app)
    {
        app.UseOpenApi(settings => settings.Path = DocumentPath);
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OpenApiOptions>>().Value.UiEnabled)
        {
            app.UseSwaggerUi(ui =>
            {
                ui.ConfigureDefaults();
                ui.Path = UiPath;
                ui.DocumentPath = DocumentPath;
            });
        }
        return app;
    }

    /// <summary>A query or header value declared with <see cref="AllowedValuesAttribute"/> is documented as an enum.</summary>
    private sealed class AllowedValuesProcessor : IOperationProcessor
    {
        public bool Process(OperationProcessorContext context)
        {
            if (context.GetEndpointDefinition()?.ReqDtoType is not { } dto)
            {
                return true;
            }
            foreach (var property in dto.GetProperties())
            {
                if (property.GetCustomAttribute<AllowedValuesAttribute>() is not { } allowed)
                {
                    continue;
                }
                var name = property.GetCustomAttribute<BindFromAttribute>()?.Name ?? property.Name;
                foreach (var parameter in context.OperationDescription.Operation.Parameters.Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
                {
                    parameter.Schema ??= new JsonSchema();
                    parameter.Schema.Type = JsonObjectType.String;
                    parameter.Schema.Enumeration.Clear();
                    foreach (var value in allowed.Values)
                    {
                        parameter.Schema.Enumeration.Add(value);
                    }
                }
            }
            return true;
        }
    }
}
