using System.Text;
using CallPush.Api.Hosting;

namespace CallPush.Tests.Auth;

/// <summary>Header parsing is a pure function: every case without a host or a database.</summary>
public sealed class AuthorizationHeaderTests
{
    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("tccc:correct horse", "tccc", "correct horse")]
    [InlineData("tccc:pass:with:colons", "tccc", "pass:with:colons")]
    [InlineData("用户:密码", "用户", "密码")]
    public void Basic_credentials_are_split_at_the_first_colon(string pair, string id, string secret)
    {
        Assert.Equal(HeaderParse.Parsed, AuthorizationHeader.ReadBasic("Basic " + Base64(pair), out var readId, out var readSecret));
        Assert.Equal((id, secret), (readId, readSecret));
        Assert.Equal(HeaderParse.Parsed, AuthorizationHeader.ReadBasic("basic   " + Base64(pair) + "  ", out _, out _));
    }

    [Theory]
    [InlineData(null, nameof(HeaderParse.Missing))]
    [InlineData("", nameof(HeaderParse.Missing))]
    [InlineData("   ", nameof(HeaderParse.Missing))]
    [InlineData("Bearer abc", nameof(HeaderParse.WrongScheme))]
    [InlineData("Digest username=\"tccc\"", nameof(HeaderParse.WrongScheme))]
    [InlineData("Basic", nameof(HeaderParse.Malformed))]
    [InlineData("Basic !!!not-base64!!!", nameof(HeaderParse.Malformed))]
    [InlineData("Basic dGNjYw==", nameof(HeaderParse.Malformed))] // tccc, no colon
    [InlineData("Basic dGNjYzo=", nameof(HeaderParse.Malformed))] // tccc: (empty secret)
    [InlineData("Basic OnNlY3JldA==", nameof(HeaderParse.Malformed))] // :secret (empty id)
    [InlineData("Basic //79/g==", nameof(HeaderParse.Malformed))] // not UTF-8
    public void Bad_basic_headers_are_told_apart_without_throwing(string? header, string expected)
    {
        Assert.Equal(Enum.Parse<HeaderParse>(expected), AuthorizationHeader.ReadBasic(header, out var id, out var secret));
        Assert.Equal(string.Empty, id);
        Assert.Equal(string.Empty, secret);
    }

    [Fact]
    public void A_basic_parameter_over_4096_characters_is_malformed()
    {
        Assert.Equal(HeaderParse.Malformed, AuthorizationHeader.ReadBasic("Basic " + new string('A', 4100), out _, out _));
    }

    [Theory]
    [InlineData("Bearer q5Nn8Xr1-_.~+/=", "q5Nn8Xr1-_.~+/=")]
    [InlineData("bearer abc", "abc")]
    public void Bearer_tokens_in_the_b64token_alphabet_are_read(string header, string token)
    {
        Assert.Equal(HeaderParse.Parsed, AuthorizationHeader.ReadBearer(header, out var read));
        Assert.Equal(token, read);
    }

    [Theory]
    [InlineData(null, nameof(HeaderParse.Missing))]
    [InlineData("Basic dGNjYzp4", nameof(HeaderParse.WrongScheme))]
    [InlineData("Bearer", nameof(HeaderParse.Malformed))]
    [InlineData("Bearer a b", nameof(HeaderParse.Malformed))]
    [InlineData("Bearer tok\"en", nameof(HeaderParse.Malformed))]
    [InlineData("Bearer tök", nameof(HeaderParse.Malformed))]
    public void Bad_bearer_headers_are_told_apart_without_throwing(string? header, string expected)
    {
        Assert.Equal(Enum.Parse<HeaderParse>(expected), AuthorizationHeader.ReadBearer(header, out var token));
        Assert.Equal(string.Empty, token);
    }
}
