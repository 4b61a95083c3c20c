using System.Globalization;
using System.Text;
using System.Text.Json;
using CallPush.Api.Answers;
using CallPush.Api.Diagnostics;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using Duende.IdentityModel;
using FastEndpoints;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CallPush.Api.Features.Auth;

/// <summary>
/// POST /oauth/token: the token URL entered in the console in OAuth2 mode (RFC 6749 section 4.4, client
/// credentials). The client authenticates with HTTP Basic or with client_id and client_secret in the body; the
/// body may be a form or, because the platform's exact request is not documented, a JSON object.
/// </summary>
internal sealed partial class TokenEndpoint(
    PushCredentials credentials,
    FailureLimiter limiter,
    AccessTokenStore tokens,
    DatabaseState database,
    IOptions<PushAuthOptions> options,
    CallPushMetrics metrics,
    ILogger<TokenEndpoint> logger) : EndpointWithoutRequest
{
    public const string Path = "/oauth/token";
    private const int MaxBodyBytes = 8 * 1024;
    private static readonly TokenRequest Nothing = new();

    public override void Configure()
    {
        Post(Path);
        AllowAnonymous();
        Description(b => b
            .WithName("Token")
            .Accepts<TokenRequest>("application/x-www-form-urlencoded", "application/json", "*/*")
            .ClearDefaultProduces()
            .Produces<TokenResponse>(StatusCodes.Status200OK)
            .Produces<TokenError>(StatusCodes.Status400BadRequest)
            .Produces<TokenError>(StatusCodes.Status401Unauthorized)
            .Produces(StatusCodes.Status404NotFound)
            .Produces<ErrCodeAnswer>(StatusCodes.Status429TooManyRequests)
            .Produces<TokenError>(StatusCodes.Status503ServiceUnavailable));
        Summary(s =>
        {
            s.Summary = "Issues an access token for pushes (OAuth 2.0 client credentials grant, RFC 6749 section 4.4).";
            s.Description = "The token URL entered in the console in OAuth2 mode. The client authenticates with HTTP Basic "
                + "(client_secret_basic) or with client_id and client_secret in the body (client_secret_post). Answers 404 in other modes.";
            s.Responses[StatusCodes.Status200OK] = "A bearer token for pushes, with its lifetime in seconds.";
            s.Responses[StatusCodes.Status400BadRequest] = "invalid_request or unsupported_grant_type (RFC 6749 section 5.2).";
            s.Responses[StatusCodes.Status401Unauthorized] = "invalid_client: the client could not be authenticated.";
            s.Responses[StatusCodes.Status404NotFound] = "The service does not issue tokens (CallPush__Auth__Mode is not OAuth2 with a ClientId, global or a source's).";
            s.Responses[StatusCodes.Status429TooManyRequests] = "ErrCode 4290: too many failed authentications from this address (Retry-After).";
            s.Responses[StatusCodes.Status503ServiceUnavailable] = "temporarily_unavailable: the token store is unavailable (Retry-After).";
            s.ResponseExamples[StatusCodes.Status200OK] = new TokenResponse("q5Nn8Xr1...", OidcConstants.TokenResponse.BearerTokenType, 3600);
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var context = HttpContext;
        if (!credentials.IssuesTokens)
        {
            await Send.NotFoundAsync(ct);
            return;
        }
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        var address = FailureLimiter.AddressOf(context);
        if (limiter.IsBlocked(address))
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(limiter.Window.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await FailureLimiter.TooManyFailures.WriteAsync(context.Response, ct);
            return;
        }

        var (body, status) = await IssueAsync(context, address, ct);
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(body, body.GetType(), ct);
    }

    private async Task<(object Body, int Status)> IssueAsync(HttpContext context, string address, CancellationToken ct)
    {
        var (fields, problem) = await ReadFieldsAsync(context, ct);
        if (problem is not null)
        {
            return Error(OidcConstants.TokenErrors.InvalidRequest, problem);
        }
        if (string.IsNullOrEmpty(fields.GrantType))
        {
            return Error(OidcConstants.TokenErrors.InvalidRequest, "grant_type is missing");
        }
        if (fields.GrantType != OidcConstants.GrantTypes.ClientCredentials)
        {
            return Error(OidcConstants.TokenErrors.UnsupportedGrantType, "only grant_type=client_credentials is supported");
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        string clientId;
        ClientCredential? matched;
        if (authorization.Length > 0)
        {
            if (fields.ClientSecret is not null)
            {
                return Error(OidcConstants.TokenErrors.InvalidRequest, "use one client authentication method: the Authorization header or client_secret, not both");
            }
            var parse = AuthorizationHeader.ReadBasic(authorization, out var id, out var secret);
            matched = parse == HeaderParse.Parsed ? MatchBasic(credentials.OAuth2Clients, ref id, secret) : null;
            if (matched is not null && fields.ClientId is not null && fields.ClientId != id)
            {
                return Error(OidcConstants.TokenErrors.InvalidRequest, "client_id in the body differs from the one in the Authorization header");
            }
            clientId = id;
        }
        else
        {
            clientId = fields.ClientId ?? string.Empty;
            matched = clientId.Length > 0 && !string.IsNullOrEmpty(fields.ClientSecret)
                ? credentials.OAuth2Clients.Match(clientId, fields.ClientSecret)
                : null;
        }
        if (matched is null)
        {
            limiter.RecordFailure(address);
            LogClientRejected(logger, address);
            context.Response.Headers.WWWAuthenticate = BasicAuthenticationHandler.Challenge;
            return Error(OidcConstants.TokenErrors.InvalidClient, "client authentication failed", StatusCodes.Status401Unauthorized);
        }

        if (!database.SchemaIsCurrent)
        {
            return Unavailable(context);
        }
        var lifetime = options.Value.OAuth2.TokenLifetime;
        try
        {
            var token = await tokens.IssueAsync(clientId, matched.Source, lifetime, ct);
            metrics.TokenIssued();
            return (new TokenResponse(token.Value, OidcConstants.TokenResponse.BearerTokenType, (long)Math.Ceiling(lifetime.TotalSeconds)), StatusCodes.Status200OK);
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
        {
            LogIssueFailed(logger, e);
            return Unavailable(context);
        }
    }

    /// <summary>RFC 6749 section 2.3.1 has the client form-urlencode both parts before base64; many clients do not, so both readings count.</summary>
    private static ClientCredential? MatchBasic(CredentialSet clients, ref string id, string secret)
    {
        if (clients.Match(id, secret) is { } matched)
        {
            return matched;
        }
        if (!(id + secret).AsSpan().ContainsAny('%', '+'))
        {
            return null;
        }
        try
        {
            var decodedId = Uri.UnescapeDataString(id.Replace('+', ' '));
            if (clients.Match(decodedId, Uri.UnescapeDataString(secret.Replace('+', ' '))) is { } decoded)
            {
                id = decodedId;
                return decoded;
            }
        }
        catch (UriFormatException)
        {
        }
        return null;
    }

    private static async Task<(TokenRequest Fields, string? Problem)> ReadFieldsAsync(HttpContext context, CancellationToken ct)
    {
        var request = context.Request;
        if (await RequestBody.ReadAsync(context, MaxBodyBytes, ct) is not { } bytes)
        {
            return (Nothing, "the request body is too large");
        }
        var body = bytes.AsSpan();
        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value ?? string.Empty : string.Empty;
        var json = mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || (!mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) && body.TrimStart(" \t\r\n"u8).StartsWith("{"u8));
        return json ? ReadJson(body) : ReadForm(body);
    }

    private static (TokenRequest, string?) ReadForm(ReadOnlySpan<byte> body)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return (Nothing, "the form is not UTF-8");
        }
        var form = QueryHelpers.ParseQuery(text);
        foreach (var (name, values) in form)
        {
            if (values.Count > 1)
            {
                return (Nothing, $"parameter {name} is repeated");
            }
        }
        string? Get(string name) => form.TryGetValue(name, out var value) && value.ToString() is { Length: > 0 } v ? v : null;
        return (new TokenRequest
        {
            GrantType = Get(OidcConstants.TokenRequest.GrantType),
            ClientId = Get(OidcConstants.TokenRequest.ClientId),
            ClientSecret = Get(OidcConstants.TokenRequest.ClientSecret),
        }, null);
    }

    private static (TokenRequest, string?) ReadJson(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (Nothing, "the JSON body must be an object");
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? grantType = null, clientId = null, clientSecret = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    return (Nothing, $"parameter {property.Name} is repeated");
                }
                if (property.Name is not (OidcConstants.TokenRequest.GrantType or OidcConstants.TokenRequest.ClientId or OidcConstants.TokenRequest.ClientSecret))
                {
                    continue;
                }
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    return (Nothing, $"parameter {property.Name} must be a string");
                }
                var value = property.Value.GetString() is { Length: > 0 } v ? v : null;
                switch (property.Name)
                {
                    case OidcConstants.TokenRequest.GrantType: grantType = value; break;
                    case OidcConstants.TokenRequest.ClientId: clientId = value; break;
                    default: clientSecret = value; break;
                }
            }
            return (new TokenRequest { GrantType = grantType, ClientId = clientId, ClientSecret = clientSecret }, null);
        }
        catch (JsonException)
        {
            return (Nothing, "the body is not valid JSON");
        }
    }

    private static (object, int) Error(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        (new TokenError(error, description), status);

    private static (object, int) Unavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return Error(OidcConstants.AuthorizeErrors.TemporarilyUnavailable, "the token store is unavailable; try again later", StatusCodes.Status503ServiceUnavailable);
    }

    private Task WriteAsync((object Body, int Status) answer, CancellationToken ct)
    {
        HttpContext.Response.StatusCode = answer.Status;
        return HttpContext.Response.WriteAsJsonAsync(answer.Body, answer.Body.GetType(), ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a token request from {Address}: client authentication failed")]
    private static partial void LogClientRejected(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store an access token: the database is unavailable")]
    private static partial void LogIssueFailed(ILogger logger, Exception exception);
}
