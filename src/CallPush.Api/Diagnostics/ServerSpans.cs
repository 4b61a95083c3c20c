using Microsoft.AspNetCore.Http.Features;

namespace CallPush.Api.Diagnostics;

/// <summary>
/// ASP.NET Core 10 records its server span without attributes (the instrumentation package that adds them is not used
/// here): this adds the HTTP semantic-convention ones, after the request, when the span is recorded.
/// </summary>
internal static class ServerSpans
{
    public static WebApplication UseServerSpans(this WebApplication app)
    {
        app.Use(static async (context, next) =>
        {
            var activity = context.Features.Get<IHttpActivityFeature>()?.Activity;
            if (activity is not { IsAllDataRequested: true })
            {
                await next(context);
                return;
            }
            try
            {
                await next(context);
            }
            catch (Exception e)
            {
                activity.SetTag("error.type", e.GetType().FullName);
                throw;
            }
            finally
            {
                Describe(activity, context);
            }
        });
        return app;
    }

    private static void Describe(System.Diagnostics.Activity activity, HttpContext context)
    {
        var request = context.Request;
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        activity.DisplayName = route is null ? request.Method : $"{request.Method} {route}";
        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("http.route", route);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", request.Path.Value);
        activity.SetTag("server.address", request.Host.Host);
        activity.SetTag("server.port", request.Host.Port);
        activity.SetTag("network.protocol.version", request.Protocol.StartsWith("HTTP/", StringComparison.Ordinal) ? request.Protocol[5..] : request.Protocol);
        activity.SetTag("user_agent.original", request.Headers.UserAgent.ToString());
        activity.SetTag("http.response.status_code", context.Response.StatusCode);
        if (context.Response.StatusCode >= 500)
        {
            activity.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
        }
    }
}
