using System.Globalization;
using System.Text.Json;
using CallPush.Api.Answers;
using CallPush.Api.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CallPush.Api.Features.Exports;

/// <summary>What the export endpoints share: reading the body and the route id, saving a named row, and answering errors.</summary>
internal static class ExportApi
{
    public static async Task<(T? Body, string? Problem)> ReadAsync<T>(HttpContext context, bool optional, CancellationToken cancellationToken)
        where T : class
    {
        if (optional && context.Request.ContentLength is null or 0 && context.Request.Headers.TransferEncoding.Count == 0)
        {
            return (null, null);
        }
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, JsonSerializerOptions.Web, cancellationToken);
            return body is null && !optional ? (null, "a JSON body is required") : (body, null);
        }
        catch (JsonException e)
        {
            return (null, $"the body is not valid JSON for this request: {e.Message}");
        }
    }

    public static long? RouteId(HttpContext context, string name = "id") =>
        long.TryParse(context.Request.RouteValues[name]?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;

    public static Task ErrorAsync(HttpContext context, int status, string message, CancellationToken cancellationToken) =>
        new ApiError(message).WriteAsync(context.Response, status, cancellationToken);

    /// <summary>Saves the changes, or answers 409 when the row's name is already taken and returns false.</summary>
    public static async Task<bool> SaveNamedAsync(CallPushDbContext db, HttpContext context, string kind, string name, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e))
        {
            await ErrorAsync(context, StatusCodes.Status409Conflict, $"a {kind} is already named '{name}'", cancellationToken);
            return false;
        }
    }

    public static bool IsUniqueViolation(Exception e) =>
        e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public static bool IsForeignKeyViolation(Exception e) =>
        e.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } || e is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };
}
