using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Auth;

internal static class AuthTestSupport
{
    public static HttpClient ClientWithAuthorization(this CallPushApp app, string? authorization)
    {
        var client = app.CreateClient();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }
        return client;
    }

    public static string Basic(string id, string secret) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}"));

    public static async Task<HttpResponseMessage> RequestTokenAsync(this HttpClient client, HttpContent content, string? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = content };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        return await client.SendAsync(request);
    }

    public static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static async Task<string> TokenAsync(this HttpClient client, string clientId, string clientSecret)
    {
        using var response = await client.RequestTokenAsync(Form(("grant_type", "client_credentials")), Basic(clientId, clientSecret));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("access_token").GetString()!;
    }

    public static string? WwwAuthenticate(this HttpResponseMessage response) =>
        response.Headers.WwwAuthenticate.Count > 0 ? response.Headers.WwwAuthenticate.ToString() : null;

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
