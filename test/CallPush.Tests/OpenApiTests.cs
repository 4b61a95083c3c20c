using System.Net;
using System.Text;
using System.Text.Json;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests;

public sealed class OpenApiTests(PostgresFixture postgres)
{
    private static Dictionary<string, string?> OAuth2 => new()
    {
        ["CallPush:Auth:Mode"] = "OAuth2",
        ["CallPush:Auth:OAuth2:ClientId"] = "tccc",
        ["CallPush:Auth:OAuth2:ClientSecret"] = "a-long-client-secret-0001",
    };

    private static async Task<JsonElement> DocumentAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task The_document_describes_every_endpoint_its_parameters_and_its_answers()
    {
        await using var app = await CallPushApp.StartAsync(postgres, OAuth2);
        using var client = app.CreateClient();

        var document = await DocumentAsync(client);

        var paths = document.GetProperty("paths");
        Assert.Equal(["/exports/connectors", "/exports/connectors/{id}", "/exports/connectors/{id}/test", "/exports/jobs", "/exports/jobs/{id}",
            "/exports/jobs/{id}/runs", "/exports/runs/{runId}", "/health/live", "/health/ready", "/oauth/token", "/push", "/reconciliation/runs", "/recordings",
            "/recordings/{id}/content", "/reprocessing", "/stats"], paths.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var push = paths.GetProperty("/push").GetProperty("post");
        var parameters = push.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal("query", parameters["action"].GetProperty("in").GetString());
        Assert.Equal(["cdr", "record", "voicemail"], parameters["action"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("query", parameters["version"].GetProperty("in").GetString());
        Assert.Equal("header", parameters["X-TCCC-PUSH-UUID"].GetProperty("in").GetString());
        Assert.False(parameters["X-TCCC-PUSH-UUID"].TryGetProperty("required", out var required) && required.GetBoolean());
        var responses = push.GetProperty("responses");
        foreach (var (status, errCode) in new[] { ("200", "0"), ("400", "4005"), ("401", "4010"), ("413", "4130"), ("429", "4290"), ("500", "5000"), ("503", "5031") })
        {
            Assert.Contains(errCode, responses.GetProperty(status).GetProperty("description").GetString(), StringComparison.Ordinal);
        }
        var answerSchema = JsonSerializer.Serialize(document.GetProperty("components").GetProperty("schemas").GetProperty("ErrCodeAnswer"));
        Assert.Contains("\"ErrCode\"", answerSchema, StringComparison.Ordinal);
        Assert.Contains("\"ErrMsg\"", answerSchema, StringComparison.Ordinal);

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("basic", schemes.GetProperty("basic").GetProperty("scheme").GetString());
        Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.Equal("/oauth/token", schemes.GetProperty("oauth2").GetProperty("flows").GetProperty("clientCredentials").GetProperty("tokenUrl").GetString());
        Assert.Equal(["bearer", "oauth2"], push.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)));
        Assert.False(paths.GetProperty("/oauth/token").GetProperty("post").TryGetProperty("security", out _));
        Assert.Contains("application/x-www-form-urlencoded", paths.GetProperty("/oauth/token").GetProperty("post").GetProperty("requestBody").GetProperty("content").EnumerateObject().Select(c => c.Name));
    }

    [Theory]
    [InlineData("Basic", "basic")]
    [InlineData("None", null)]
    public async Task The_push_operation_requires_the_scheme_of_the_configured_mode(string mode, string? scheme)
    {
        var settings = new Dictionary<string, string?>
        {
            ["CallPush:Auth:Mode"] = mode,
            ["CallPush:Auth:Basic:Username"] = mode == "Basic" ? "tccc" : null,
            ["CallPush:Auth:Basic:Password"] = mode == "Basic" ? "a-long-password-0001" : null,
        };
        await using var app = await CallPushApp.StartAsync(postgres, settings);
        using var client = app.CreateClient();

        var push = (await DocumentAsync(client)).GetProperty("paths").GetProperty("/push").GetProperty("post");

        var required = push.TryGetProperty("security", out var security)
            ? security.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).ToList()
            : [];
        Assert.Equal(scheme is null ? [] : [scheme], required);
    }

    [Fact]
    public async Task The_recordings_operations_require_an_analyst_key_as_a_bearer_token_or_in_the_X_API_Key_header()
    {
        await using var app = await CallPushApp.StartAsync(postgres, OAuth2);
        using var client = app.CreateClient();

        var document = await DocumentAsync(client);

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("http", schemes.GetProperty("apikey").GetProperty("type").GetString());
        Assert.Equal("bearer", schemes.GetProperty("apikey").GetProperty("scheme").GetString());
        Assert.Equal("apiKey", schemes.GetProperty("apikey-header").GetProperty("type").GetString());
        Assert.Equal("header", schemes.GetProperty("apikey-header").GetProperty("in").GetString());
        Assert.Equal("X-API-Key", schemes.GetProperty("apikey-header").GetProperty("name").GetString());
        var paths = document.GetProperty("paths");
        var operations = new[]
        {
            (paths.GetProperty("/recordings").GetProperty("get"), new[] { "200", "400", "401", "403" }),
            (paths.GetProperty("/recordings/{id}/content").GetProperty("get"), new[] { "200", "206", "302", "304", "400", "401", "403", "404", "416" }),
            (paths.GetProperty("/recordings/{id}/content").GetProperty("head"), new[] { "200", "206", "302", "304", "400", "401", "403", "404", "416" }),
            (paths.GetProperty("/stats").GetProperty("post"), new[] { "200", "400", "401", "403", "413", "429", "500", "503", "504" }),
            (paths.GetProperty("/reconciliation/runs").GetProperty("get"), new[] { "200", "400", "401" }),
            (paths.GetProperty("/reconciliation/runs").GetProperty("post"), new[] { "202", "400", "401", "403", "409" }),
            (paths.GetProperty("/reprocessing").GetProperty("post"), new[] { "200", "400", "401", "403" }),
        };
        foreach (var (operation, answers) in operations)
        {
            Assert.Equal(["apikey", "apikey-header"], operation.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)));
            Assert.Equal(answers, operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal));
            Assert.All(operation.GetProperty("responses").EnumerateObject(), r => Assert.False(string.IsNullOrEmpty(r.Value.GetProperty("description").GetString())));
        }
        Assert.Equal(["bearer", "oauth2"], paths.GetProperty("/push").GetProperty("post").GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public async Task The_ui_is_served_unless_a_setting_turns_it_off()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        await using var without = await CallPushApp.StartAsync(postgres, new Dictionary<string, string?> { ["CallPush:OpenApi:UiEnabled"] = "false" });
        using var client = app.CreateClient();
        using var clientWithout = without.CreateClient();

        using var ui = await client.GetAsync("/swagger/index.html");
        using var noUi = await clientWithout.GetAsync("/swagger/index.html");
        using var document = await clientWithout.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("/openapi/v1.json", await ui.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, noUi.StatusCode);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }

    [Fact]
    public async Task The_route_list_fastendpoints_maps_for_its_test_package_is_not_served()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/_test_url_cache_");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("CallPush.Api", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
