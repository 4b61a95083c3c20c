using System.Text;

namespace CallPush.Api.Hosting;

internal enum HeaderParse
{
    Missing,
    WrongScheme,
    Malformed,
    Parsed,
}

/// <summary>Reads <c>Authorization</c> header values; pure functions that never throw.</summary>
internal static class AuthorizationHeader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>RFC 7617: <c>Basic base64(id:secret)</c>; an empty id or secret is malformed.</summary>
    public static HeaderParse ReadBasic(string? header, out string id, out string secret)
    {
        id = secret = string.Empty;
        if (!TryParameter(header, "Basic", out var parse, out var parameter))
        {
            return parse;
        }
        var buffer = new byte[(parameter.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(parameter, buffer, out var written))
        {
            return HeaderParse.Malformed;
        }
        string decoded;
        try
        {
            decoded = StrictUtf8.GetString(buffer, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return HeaderParse.Malformed;
        }
        finally
        {
            Array.Clear(buffer);
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == decoded.Length - 1)
        {
            return HeaderParse.Malformed;
        }
        id = decoded[..colon];
        secret = decoded[(colon + 1)..];
        return HeaderParse.Parsed;
    }

    /// <summary>RFC 6750: <c>Bearer token</c> with the token in the b64token alphabet.</summary>
    public static HeaderParse ReadBearer(string? header, out string token)
    {
        token = string.Empty;
        if (!TryParameter(header, "Bearer", out var parse, out var parameter))
        {
            return parse;
        }
        foreach (var c in parameter)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/' or '='))
            {
                return HeaderParse.Malformed;
            }
        }
        token = parameter;
        return HeaderParse.Parsed;
    }

    private static bool TryParameter(string? header, string scheme, out HeaderParse parse, out string parameter)
    {
        parameter = string.Empty;
        var value = header?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            parse = HeaderParse.Missing;
            return false;
        }
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        var presentedScheme = space < 0 ? value : value[..space];
        if (!presentedScheme.Equals(scheme, StringComparison.OrdinalIgnoreCase))
        {
            parse = HeaderParse.WrongScheme;
            return false;
        }
        parameter = space < 0 ? string.Empty : value[(space + 1)..].Trim();
        if (parameter.Length is 0 or > 4096)
        {
            parse = HeaderParse.Malformed;
            return false;
        }
        parse = HeaderParse.Parsed;
        return true;
    }
}
