using CallPush.Api.Features.Push;
using Microsoft.AspNetCore.Diagnostics;

namespace CallPush.Api.Hosting;

internal static partial class ErrorAnswers
{
    /// <summary>Any failure is answered with the platform's JSON shape, never an HTML page or a stack trace.</summary>
    public static WebApplication UseErrorAnswers(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CallPush.Errors");
            LogUnhandled(logger, error, context.Request.Path);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new PushAnswer(PushErrors.InternalError, "internal error; push again later"));
        }));
        return app;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception? exception, string path);
}
