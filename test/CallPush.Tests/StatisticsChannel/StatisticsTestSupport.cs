using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CallPush.Tests.Infrastructure;
using Npgsql;

namespace CallPush.Tests.StatisticsChannel;

/// <summary>The channel's login role on the test server, and requests in the channel's protocol.</summary>
internal static class StatisticsTestSupport
{
    /// <summary>Created by the tests as a DBA would: LOGIN, a member of callpush_reader and nothing else.</summary>
    public const string Role = "callpush_stats_test";
    private const string Password = "stats-test-password";

    private static readonly SemaphoreSlim RoleCreation = new(1, 1);
    private static bool _roleExists;

    public static async Task<string> LoginConnectionStringAsync(string serviceConnectionString)
    {
        await RoleCreation.WaitAsync();
        try
        {
            if (!_roleExists)
            {
                await using var connection = new NpgsqlConnection(serviceConnectionString);
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"""
                    DO $$
                    BEGIN
                        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{Role}') THEN
                            CREATE ROLE {Role} LOGIN PASSWORD '{Password}' IN ROLE callpush_reader;
                        END IF;
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                    END
                    $$
                    """, connection);
                await create.ExecuteNonQueryAsync();
                _roleExists = true;
            }
        }
        finally
        {
            RoleCreation.Release();
        }
        return new NpgsqlConnectionStringBuilder(serviceConnectionString) { Username = Role, Password = Password, Pooling = true }.ConnectionString;
    }

    /// <summary>A service on a fresh database whose channel logs in as <see cref="Role"/>.</summary>
    public static async Task<CallPushApp> StartAppAsync(PostgresFixture postgres, Dictionary<string, string?>? more = null)
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?>
        {
            ["CallPush:StatisticsChannel:ConnectionString"] = await LoginConnectionStringAsync(connectionString),
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        var app = new CallPushApp(connectionString, settings);
        await app.WaitUntilReadyAsync();
        return app;
    }

    public static string Body(string action, string psql, string entity = "chronological") =>
        JsonSerializer.Serialize(new { entity, action, options = new { psql } });

    public static Task<HttpResponseMessage> PostStatsAsync(this HttpClient client, string body) =>
        client.PostAsync("/stats", new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }));

    public static Task<HttpResponseMessage> PostStatsAsync(this HttpClient client, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return client.PostAsync("/stats", content);
    }

    public static async Task<StatsReply> StatsAsync(this HttpClient client, string action, string psql)
    {
        using var response = await client.PostStatsAsync(Body(action, psql));
        return await StatsReply.ReadAsync(response);
    }
}

/// <summary>An answer of the channel; <see cref="Data"/> is a clone, usable after the response is gone.</summary>
internal sealed record StatsReply(int Status, bool Success, string? Error, JsonElement Data, string? Truncated)
{
    public static async Task<StatsReply> ReadAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.Equal(3, root.EnumerateObject().Count());
        return new StatsReply((int)response.StatusCode, root.GetProperty("success").GetBoolean(),
            root.GetProperty("error").ValueKind == JsonValueKind.Null ? null : root.GetProperty("error").GetString(),
            root.GetProperty("data").Clone(),
            response.Headers.TryGetValues("X-Stats-Truncated", out var values) ? values.Single() : null);
    }

    /// <summary>Asserts a failure answer in the protocol's shape and returns its message.</summary>
    public string AssertFailure(int status)
    {
        Assert.False(Success, $"expected a failure, got {Data}");
        Assert.Equal(status, Status);
        Assert.Equal(JsonValueKind.Null, Data.ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(Error));
        return Error!;
    }
}
