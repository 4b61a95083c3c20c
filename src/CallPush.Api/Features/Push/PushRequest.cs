using FastEndpoints;

namespace CallPush.Api.Features.Push;

/// <summary>
/// What the platform puts around a push: <c>?action=cdr|record|voicemail&amp;version=1</c> and the
/// <c>X-TCCC-PUSH-UUID</c> header. Kept as the raw text, so that a wrong value is still stored and answered with its
/// ErrCode rather than refused by binding. The body is not part of it: the endpoint reads that itself.
/// </summary>
public sealed class PushRequest
{
    public const string PushUuidHeader = "X-TCCC-PUSH-UUID";

    /// <summary>cdr, record or voicemail.</summary>
    [QueryParam, BindFrom("action"), System.ComponentModel.DataAnnotations.AllowedValues("cdr", "record", "voicemail")]
    public string? Action { get; init; }

    /// <summary>The protocol version the platform sends (1).</summary>
    [QueryParam, BindFrom("version")]
    public string? Version { get; init; }

    /// <summary>Identifies the push: a re-push carries the same value, so it is stored once.</summary>
    [FromHeader(PushUuidHeader, IsRequired = false)]
    public string? PushUuid { get; init; }
}

/// <summary>Binds the query values and the push id header only; the body is left unread for the endpoint.</summary>
internal sealed class PushRequestBinder : IRequestBinder<PushRequest>
{
    public ValueTask<PushRequest> BindAsync(BinderContext ctx, CancellationToken ct)
    {
        var request = ctx.HttpContext.Request;
        var pushUuid = request.Headers[PushRequest.PushUuidHeader].ToString().Trim();
        return ValueTask.FromResult(new PushRequest
        {
            Action = request.Query["action"].ToString(),
            Version = request.Query["version"].FirstOrDefault(),
            PushUuid = pushUuid.Length > 0 ? pushUuid : null,
        });
    }
}
