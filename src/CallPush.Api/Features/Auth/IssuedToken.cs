namespace CallPush.Api.Features.Auth;

internal sealed record IssuedToken(string Value, DateTimeOffset ExpiresAt);
