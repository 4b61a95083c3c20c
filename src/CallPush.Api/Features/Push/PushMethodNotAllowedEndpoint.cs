using CallPush.Api.Answers;
using FastEndpoints;

namespace CallPush.Api.Features.Push;

/// <summary>Any other method on /push: answered 405 in the platform's JSON shape rather than with an empty body.</summary>
internal sealed class PushMethodNotAllowedEndpoint : EndpointWithoutRequest
{
    public override void Configure()
    {
        Verbs(Http.GET, Http.PUT, Http.PATCH, Http.DELETE, Http.HEAD, Http.OPTIONS, Http.TRACE);
        Routes(PushEndpoint.Path);
        AllowAnonymous();
        Description(b => b.ExcludeFromDescription());
    }

    public override Task HandleAsync(CancellationToken ct)
    {
        HttpContext.Response.Headers.Allow = HttpMethods.Post;
        return ErrorAnswers.MethodNotAllowed.WriteAsync(HttpContext.Response, ct);
    }
}
