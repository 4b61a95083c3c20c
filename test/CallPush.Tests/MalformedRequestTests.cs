using System.Net;
using System.Text;
using System.Text.Json;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests;

/// <summary>
/// Every operation of the OpenAPI document, sent every method and malformed queries, content types, headers and bodies:
/// no answer is a 5xx, and every answer on /push is exactly <c>{"ErrCode":N,"ErrMsg":"..."}</c> with N's own HTTP status.
/// </summary>
public sealed class MalformedRequestTests(PostgresFixture postgres)
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "FOO"];

    private static readonly string[] Queries =
    [
        "",
        "?action=cdr&version=1",
        "?action=1&version=abc",
        "?action=cdr&action=record",
        "?action=%00%FF&version=%E4%B8",
        "?action=" + new string('x', 5000),
        "?version=1&version=2",
        "?action[]=cdr&=&&&",
    ];

    private static readonly (string? ContentType, byte[] Body)[] Bodies =
    [
        (null, []),
        ("application/json", "{"u8.ToArray()),
        ("application/json", "{\"SdkAppId\":\"x\",\"SessionId\":{}}"u8.ToArray()),
        ("application/json; charset=bogus", "[]"u8.ToArray()),
        ("text/plain", "SessionId=1"u8.ToArray()),
        ("application/xml", "<push/>"u8.ToArray()),
        ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--"u8.ToArray()),
        ("application/x-www-form-urlencoded", "grant_type=client_credentials&grant_type=password&client_id=%ZZ"u8.ToArray()),
        ("application/octet-stream", [0xFF, 0xFE, 0x00, 0x01, 0xC3]),
        ("application/json", Encoding.UTF8.GetBytes("{\"a\":\"" + new string('y', 5000) + "\"}")),
        ("not a media type", "{}"u8.ToArray()),
    ];

    private static readonly (string Name, string Value)[][] Headers =
    [
        [],
        [("X-TCCC-PUSH-UUID", "a"), ("X-TCCC-PUSH-UUID", "b")],
        [("X-TCCC-PUSH-UUID", new string('u', 8000))],
        [("Authorization", "Basic !!!"), ("X-Forwarded-For", "not-an-address")],
        [("Authorization", "Bearer " + new string('t', 5000))],
        [("X-Oversized", new string('h', 16_000))],
    ];

    public static TheoryData<string> Modes => ["None", "Basic", "OAuth2"];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task No_malformed_request_gets_a_5xx_and_push_answers_keep_the_ErrCode_shape(string mode)
    {
        var settings = new Dictionary<string, string?>
        {
            ["CallPush:Auth:Mode"] = mode,
            ["CallPush:Auth:MaxFailures"] = "1000000",
            ["CallPush:Push:MaxBodyBytes"] = "4096",
        };
        if (mode == "Basic")
        {
            settings["CallPush:Auth:Basic:Username"] = "tccc";
            settings["CallPush:Auth:Basic:Password"] = "a-long-password-0001";
        }
        if (mode == "OAuth2")
        {
            settings["CallPush:Auth:OAuth2:ClientId"] = "tccc";
            settings["CallPush:Auth:OAuth2:ClientSecret"] = "a-long-client-secret-0001";
        }
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var client = app.CreateClient();
        var paths = await OperationPathsAsync(client);
        Assert.Contains("/push", paths);
        var random = new Random(7);
        var sent = 0;

        foreach (var path in paths)
        {
            foreach (var method in Methods)
            {
                for (var i = 0; i < Queries.Length; i++)
                {
                    // Each query once with each method; bodies and headers are drawn, so every one of them is used many times.
                    var (contentType, body) = Bodies[(i + random.Next(Bodies.Length)) % Bodies.Length];
                    var headers = Headers[random.Next(Headers.Length)];
                    using var request = new HttpRequestMessage(new HttpMethod(method), path + Queries[i]);
                    if (method is not ("GET" or "HEAD" or "TRACE") || body.Length == 0)
                    {
                        request.Content = new ByteArrayContent(body);
                        if (contentType is not null)
                        {
                            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                        }
                    }
                    foreach (var (name, value) in headers)
                    {
                        request.Headers.TryAddWithoutValidation(name, value);
                    }

                    using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
                    var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                    var what = $"{method} {path}{(Queries[i].Length > 60 ? Queries[i][..60] : Queries[i])} [{contentType}] -> {(int)response.StatusCode} {text}";
                    sent++;

                    Assert.True((int)response.StatusCode < 500, what);
                    if (path == "/push" && method != "HEAD")
                    {
                        AssertErrCodeAnswer(response.StatusCode, text, what);
                    }
                }
            }
        }
        Assert.Equal(paths.Count * Methods.Length * Queries.Length, sent);
    }

    private static void AssertErrCodeAnswer(HttpStatusCode status, string text, string what)
    {
        using var document = JsonDocument.Parse(text);
        var members = document.RootElement.EnumerateObject().ToList();
        Assert.True(members.Select(m => m.Name).SequenceEqual(["ErrCode", "ErrMsg"]), what);
        Assert.Equal(JsonValueKind.Number, members[0].Value.ValueKind);
        Assert.False(string.IsNullOrEmpty(members[1].Value.GetString()), what);
        var errCode = members[0].Value.GetInt32();
        Assert.True(errCode is 0 or 4001 or 4002 or 4003 or 4004 or 4005 or 4006 or 4010 or 4050 or 4130 or 4290, what);
        Assert.Equal(CallPush.Api.Answers.ErrCodes.HttpStatus(errCode), (int)status);
    }

    private static async Task<List<string>> OperationPathsAsync(HttpClient client)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        return document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
    }
}
