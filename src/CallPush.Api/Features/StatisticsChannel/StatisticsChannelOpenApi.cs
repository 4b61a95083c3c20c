using FastEndpoints.Swagger;
using NSwag;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace CallPush.Api.Features.StatisticsChannel;

/// <summary>Examples of both actions, request and answer, and the answers' headers, in the OpenAPI document.</summary>
internal sealed class StatisticsChannelOpenApi : IOperationProcessor
{
    public bool Process(OperationProcessorContext context)
    {
        if (context.GetEndpointDefinition()?.EndpointType != typeof(StatisticsEndpoint))
        {
            return true;
        }
        var operation = context.OperationDescription.Operation;
        if (operation.RequestBody?.Content.TryGetValue("application/json", out var request) == true)
        {
            operation.RequestBody.IsRequired = true;
            request.Examples["data"] = Example("Rows of a select",
                Request("data", "select session_id, caller, callee, ended_at from call_sessions order by ended_at desc limit 2"));
            request.Examples["quantity"] = Example("A count", Request("quantity", "select count(*) from call_sessions"));
        }
        if (operation.Responses.TryGetValue("200", out var ok))
        {
            if (ok.Content.TryGetValue("application/json", out var okBody))
            {
                okBody.Examples["data"] = Example("Answer to action data", new Dictionary<string, object?>
                {
                    ["success"] = true,
                    ["error"] = null,
                    ["data"] = new object[]
                    {
                        new Dictionary<string, object?>
                        {
                            ["session_id"] = "9a2f1b6e-0c41-4f5c-a4b8-1f5e1e0f3d2a", ["caller"] = "13800000000", ["callee"] = "008675512345678",
                            ["ended_at"] = "2026-12-01T10:00:03+00:00",
                        },
                        new Dictionary<string, object?>
                        {
                            ["session_id"] = "3f3c9b2e-0d8f-4a59-9c2a-0c2f6e1f8d11", ["caller"] = "13900000000", ["callee"] = "008675512345678",
                            ["ended_at"] = "2026-12-01T09:58:41+00:00",
                        },
                    },
                });
                okBody.Examples["quantity"] = Example("Answer to action quantity", new Dictionary<string, object?>
                {
                    ["success"] = true,
                    ["error"] = null,
                    ["data"] = 835,
                });
            }
            ok.Headers[StatisticsStatement.TruncatedHeader] = new OpenApiHeader
            {
                Description = "action data: true when the result had more rows than X-Stats-Max-Rows and was cut there.",
                Schema = new NJsonSchema.JsonSchema { Type = NJsonSchema.JsonObjectType.Boolean },
            };
            ok.Headers[StatisticsStatement.MaxRowsHeader] = new OpenApiHeader
            {
                Description = "action data: the most rows an answer holds (CallPush__StatisticsChannel__MaxRows).",
                Schema = new NJsonSchema.JsonSchema { Type = NJsonSchema.JsonObjectType.Integer },
            };
        }
        AddFailureExample(operation, "400", "42601: syntax error at or near \"form\" (at character 10 of options.psql)");
        AddFailureExample(operation, "403", "42501: permission denied for table api_keys");
        AddFailureExample(operation, "413", "the body is larger than 65536 bytes");
        AddFailureExample(operation, "429", "this API key already runs 2 statements; send the next when one has answered");
        AddFailureExample(operation, "503", StatisticsDatabase.NotConfigured);
        AddFailureExample(operation, "504", "the statement ran longer than 10 s and was cancelled");
        return true;
    }

    private static void AddFailureExample(OpenApiOperation operation, string status, string error)
    {
        if (operation.Responses.TryGetValue(status, out var response) && response.Content.TryGetValue("application/json", out var body))
        {
            body.Example = new Dictionary<string, object?> { ["success"] = false, ["error"] = error, ["data"] = null };
        }
    }

    private static Dictionary<string, object> Request(string action, string psql) => new()
    {
        ["entity"] = StatisticsRequest.Entity,
        ["action"] = action,
        ["options"] = new Dictionary<string, object> { ["psql"] = psql },
    };

    private static OpenApiExample Example(string summary, object value) => new() { Summary = summary, Value = value };
}
