using System.Security.Claims;
using System.Text.Encodings.Web;
using CallPush.Api.Answers;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.ApiKeys;

/// <summary>
/// The analyst API's scheme: an API key as <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-API-Key: &lt;key&gt;</c>. It is a
/// scheme of its own, so push credentials (Basic, push tokens) never open an analyst endpoint and an analyst key never
/// opens /push, whose schemes know nothing of api_keys.
/// </summary>
internal sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    public const string SchemeName = "apikey";
    public const string HeaderName = "X-API-Key";
    public const string PrefixClaim = "callpush:api_key_prefix";
    public const string SourceClaim = "callpush:source";
    public const string Challenge = "Bearer realm=\"CallPush analysts\"";

    private const string Missing = "an API key is required: send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'";
    private const string Refused = "the API key is not valid";
    private const string Unavailable = "API keys cannot be checked right now; try again later";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey();
        if (presented is null)
        {
            return AuthenticateResult.Fail(Missing);
        }
        ApiKeyHolder? holder;
        try
        {
            holder = await keys.FindActiveAsync(presented, Context.RequestAborted);
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
        {
            LogStoreUnavailable(Logger, e);
            return AuthenticateResult.Fail(Unavailable);
        }
        if (holder is null)
        {
            LogRefused(Logger, Context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                ApiKeyFormat.TryReadPrefix(presented, out var prefix) ? prefix : "(none)");
            return AuthenticateResult.Fail(Refused);
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, holder.Name), new Claim(PrefixClaim, holder.Prefix),
            .. holder.Sources.Select(source => new Claim(SourceClaim, source))], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var message = result.Failure?.Message ?? Missing;
        if (message == Unavailable)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = "5";
        }
        else
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers.WWWAuthenticate = Challenge;
        }
        Response.Headers.CacheControl = "no-store";
        await Response.WriteAsJsonAsync(new ApiError(message), Context.RequestAborted);
    }

    /// <summary>The X-API-Key header, else a bearer token; null when neither is there (a Basic header is not a key).</summary>
    private string? PresentedKey()
    {
        if (Request.Headers[HeaderName].ToString().Trim() is { Length: > 0 } header)
        {
            return header;
        }
        return AuthorizationHeader.ReadBearer(Request.Headers.Authorization, out var token) == HeaderParse.Parsed ? token : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an analyst request from {Address}: API key with prefix {Prefix} is unknown, wrong or revoked")]
    private static partial void LogRefused(ILogger logger, string address, string prefix);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not check an API key: the database is unavailable")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception);
}
