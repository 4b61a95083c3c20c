using CallPush.Api.Answers;
using FastEndpoints;

namespace CallPush.Api.Hosting;

/// <summary>The endpoints of this assembly, discovered by FastEndpoints, answering in the ErrCode contract's shape.</summary>
internal static class EndpointHosting
{
    // FastEndpoints always maps this route for its testing package; it lists the service's endpoint types to anyone.
    private static readonly PathString TestUrlCache = "/_test_url_cache_";

    public static WebApplicationBuilder AddCallPushEndpoints(this WebApplicationBuilder builder)
    {
        builder.Services.AddFastEndpoints(discovery => discovery.Assemblies = [typeof(EndpointHosting).Assembly]);
        return builder;
    }

    public static WebApplication UseCallPushEndpoints(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (context.Request.Path.Equals(TestUrlCache, StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(context);
        });
        app.UseFastEndpoints(ErrorAnswers.ConfigureFastEndpoints);
        return app;
    }
}
