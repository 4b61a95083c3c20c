using FastEndpoints.Swagger;
using NJsonSchema;
using NSwag;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace CallPush.Api.Features.Push;

/// <summary>
/// Documents the push body as what it is, the platform's JSON object (a CDR, recording or voicemail notice), rather
/// than the query-and-header request the endpoint binds.
/// </summary>
internal sealed class PushOpenApi : IOperationProcessor
{
    public bool Process(OperationProcessorContext context)
    {
        if (context.GetEndpointDefinition()?.EndpointType != typeof(PushEndpoint))
        {
            return true;
        }
        var body = new OpenApiRequestBody
        {
            IsRequired = true,
            Description = "The platform's push: a CDR (action=cdr), a recording notice (record) or a voicemail notice (voicemail). "
                + "Field names in any letter case; unknown fields are kept. Any content type is read as JSON.",
        };
        body.Content["application/json"] = new OpenApiMediaType
        {
            Schema = new JsonSchema { Type = JsonObjectType.Object, AllowAdditionalProperties = true },
            Example = new Dictionary<string, object>
            {
                ["SdkAppId"] = 1400000000,
                ["SessionId"] = "3f3c9b2e-0d8f-4a59-9c2a-0c2f6e1f8d11",
                ["RecordId"] = "1608130650",
                ["EndpointUser"] = "agent@example.com",
                ["RecordURL"] = "https://example.cos.ap-guangzhou.myqcloud.com/record.mp3",
                ["Timestamp"] = 1700000000,
            },
        };
        context.OperationDescription.Operation.RequestBody = body;
        return true;
    }
}
