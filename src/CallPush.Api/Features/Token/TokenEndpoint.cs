using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CallPush.Api.Diagnostics;
using CallPush.Api.Features.Auth;
using CallPush.Api.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CallPush.Api.Features.Token;

public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn);

/// <summary>RFC 6749 section 5.2 error answer.</summary>
public sealed record TokenError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string Description);

/// <summary>
/// POST /oauth/token: the token URL entered in the console in OAuth2 mode (RFC 6749 section 4.4, client
/// credentials). The client authenticates with HTTP Basic or with client_id and client_secret in the body; the
/// body may be a form or, because the platform's exact request is not documented, a JSON object.
/// </summary>
internal static partial class TokenEndpoint
{
    public const string Path = "/oauth/token";
    private const int MaxBodyBytes = 8 * 1024;

    private sealed record Fields(string? GrantType, string? ClientId, string? ClientSecret);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(Path, HandleAsync)
            .WithName("Token")
            .WithSummary("Issues an access token for pushes (OAuth 2.0 client credentials grant).")
            .DisableAntiforgery();

    private static async Task<Results<Ok<TokenResponse>, JsonHttpResult<TokenError>, JsonHttpResult<Push.PushAnswer>, NotFound>> HandleAsync(
        HttpContext context, PushAuthenticator authenticator, FailureLimiter limiter, AccessTokenStore tokens, DatabaseState database,
        IOptions<PushAuthOptions> options, CallPushMetrics metrics, ILoggerFactory loggers)
    {
        if (authenticator.Mode != PushAuthMode.OAuth2 || authenticator.OAuth2Clients.IsEmpty)
        {
            return TypedResults.NotFound();
        }
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        var address = FailureLimiter.AddressOf(context);
        if (limiter.IsBlocked(address))
        {
            return PushAuthenticationFilter.TooManyFailures(context, limiter);
        }

        var (fields, problem) = await ReadFieldsAsync(context.Request);
        if (problem is not null)
        {
            return Error("invalid_request", problem);
        }
        if (string.IsNullOrEmpty(fields.GrantType))
        {
            return Error("invalid_request", "grant_type is missing");
        }
        if (fields.GrantType != "client_credentials")
        {
            return Error("unsupported_grant_type", "only grant_type=client_credentials is supported");
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        string clientId;
        bool authenticated;
        if (authorization.Length > 0)
        {
            if (fields.ClientSecret is not null)
            {
                return Error("invalid_request", "use one client authentication method: the Authorization header or client_secret, not both");
            }
            var parse = AuthorizationHeader.ReadBasic(authorization, out var id, out var secret);
            authenticated = parse == HeaderParse.Parsed && MatchesBasic(authenticator.OAuth2Clients, ref id, secret);
            if (authenticated && fields.ClientId is not null && fields.ClientId != id)
            {
                return Error("invalid_request", "client_id in the body differs from the one in the Authorization header");
            }
            clientId = id;
        }
        else
        {
            clientId = fields.ClientId ?? string.Empty;
            authenticated = clientId.Length > 0 && !string.IsNullOrEmpty(fields.ClientSecret)
                && authenticator.OAuth2Clients.Matches(clientId, fields.ClientSecret);
        }
        if (!authenticated)
        {
            limiter.RecordFailure(address);
            LogClientRejected(loggers.CreateLogger(typeof(TokenEndpoint).FullName!), address);
            context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{PushAuthenticator.Realm}\", charset=\"UTF-8\"";
            return Error("invalid_client", "client authentication failed", StatusCodes.Status401Unauthorized);
        }

        if (!database.IsReady)
        {
            return Unavailable(context);
        }
        var lifetime = options.Value.OAuth2.TokenLifetime;
        try
        {
            var token = await tokens.IssueAsync(clientId, lifetime, context.RequestAborted);
            metrics.TokenIssued();
            return TypedResults.Ok(new TokenResponse(token.Value, "Bearer", (long)Math.Ceiling(lifetime.TotalSeconds)));
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
        {
            LogIssueFailed(loggers.CreateLogger(typeof(TokenEndpoint).FullName!), e);
            return Unavailable(context);
        }
    }

    /// <summary>RFC 6749 section 2.3.1 has the client form-urlencode both parts before base64; many clients do not, so both readings count.</summary>
    private static bool MatchesBasic(CredentialSet clients, ref string id, string secret)
    {
        if (clients.Matches(id, secret))
        {
            return true;
        }
        if (!(id + secret).AsSpan().ContainsAny('%', '+'))
        {
            return false;
        }
        try
        {
            var decodedId = Uri.UnescapeDataString(id.Replace('+', ' '));
            if (clients.Matches(decodedId, Uri.UnescapeDataString(secret.Replace('+', ' '))))
            {
                id = decodedId;
                return true;
            }
        }
        catch (UriFormatException)
        {
        }
        return false;
    }

    private static async Task<(Fields Fields, string? Problem)> ReadFieldsAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (new Fields(null, null, null), "the request body is too large");
        }
        var buffer = new ArrayBufferWriter<byte>(1024);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(1024), request.HttpContext.RequestAborted);
            if (read == 0)
            {
                break;
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBodyBytes)
            {
                return (new Fields(null, null, null), "the request body is too large");
            }
        }
        var body = buffer.WrittenSpan;
        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value ?? string.Empty : string.Empty;
        var json = mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || (!mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) && body.TrimStart(" \t\r\n"u8).StartsWith("{"u8));
        return json ? ReadJson(body) : ReadForm(body);
    }

    private static (Fields, string?) ReadForm(ReadOnlySpan<byte> body)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return (new Fields(null, null, null), "the form is not UTF-8");
        }
        var form = QueryHelpers.ParseQuery(text);
        foreach (var (name, values) in form)
        {
            if (values.Count > 1)
            {
                return (new Fields(null, null, null), $"parameter {name} is repeated");
            }
        }
        string? Get(string name) => form.TryGetValue(name, out var value) && value.ToString() is { Length: > 0 } v ? v : null;
        return (new Fields(Get("grant_type"), Get("client_id"), Get("client_secret")), null);
    }

    private static (Fields, string?) ReadJson(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (new Fields(null, null, null), "the JSON body must be an object");
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? grantType = null, clientId = null, clientSecret = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    return (new Fields(null, null, null), $"parameter {property.Name} is repeated");
                }
                if (property.Name is not ("grant_type" or "client_id" or "client_secret"))
                {
                    continue;
                }
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    return (new Fields(null, null, null), $"parameter {property.Name} must be a string");
                }
                var value = property.Value.GetString() is { Length: > 0 } v ? v : null;
                switch (property.Name)
                {
                    case "grant_type": grantType = value; break;
                    case "client_id": clientId = value; break;
                    default: clientSecret = value; break;
                }
            }
            return (new Fields(grantType, clientId, clientSecret), null);
        }
        catch (JsonException)
        {
            return (new Fields(null, null, null), "the body is not valid JSON");
        }
    }

    private static JsonHttpResult<TokenError> Error(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        TypedResults.Json(new TokenError(error, description), statusCode: status);

    private static JsonHttpResult<TokenError> Unavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return Error("temporarily_unavailable", "the token store is unavailable; try again later", StatusCodes.Status503ServiceUnavailable);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a token request from {Address}: client authentication failed")]
    private static partial void LogClientRejected(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store an access token: the database is unavailable")]
    private static partial void LogIssueFailed(ILogger logger, Exception exception);
}
