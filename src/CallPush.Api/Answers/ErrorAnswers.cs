using FastEndpoints;
using FluentValidation.Results;
using Microsoft.AspNetCore.Diagnostics;

namespace CallPush.Api.Answers;

/// <summary>
/// Whatever goes wrong is answered in the platform's JSON shape, never as an HTML page, an empty body or a stack trace:
/// an unexpected exception, a method the routing refuses, and the error bodies FastEndpoints would build itself.
/// </summary>
internal static partial class ErrorAnswers
{
    public static WebApplication UseErrorAnswers(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CallPush.Errors");
            LogUnhandled(logger, error, context.Request.Path);
            await new ErrCodeAnswer(ErrCodes.InternalError, "internal error; push again later").WriteAsync(context.Response, context.RequestAborted);
        }));
        // Routing answers a method no endpoint maps (PROPFIND, ...) with an empty 405; say it in the answer's shape.
        app.UseStatusCodePages(async pages =>
        {
            var response = pages.HttpContext.Response;
            if (response.StatusCode == StatusCodes.Status405MethodNotAllowed)
            {
                await MethodNotAllowed.WriteAsync(response, pages.HttpContext.RequestAborted);
            }
        });
        return app;
    }

    public static readonly ErrCodeAnswer MethodNotAllowed = new(ErrCodes.MethodNotAllowed, "pushes are sent with POST");

    /// <summary>Binding or validation failures that FastEndpoints reports: a field that could not be read (ErrCode 4005).</summary>
    public static object FromFailures(List<ValidationFailure> failures, HttpContext context, int statusCode) =>
        new ErrCodeAnswer(ErrCodes.MissingField,
            string.Join("; ", failures.Select(f => string.IsNullOrEmpty(f.PropertyName) ? f.ErrorMessage : $"{f.PropertyName}: {f.ErrorMessage}")));

    /// <summary>FastEndpoints settings that keep every answer in the contract's shape and casing.</summary>
    public static void ConfigureFastEndpoints(Config config)
    {
        config.Serializer.Options.PropertyNamingPolicy = null;
        config.Errors.ProducesMetadataType = typeof(ErrCodeAnswer);
        config.Errors.ContentType = "application/json";
        config.Errors.ResponseBuilder = FromFailures;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception? exception, string path);
}
