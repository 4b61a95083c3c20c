using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CallPush.Tests.Infrastructure;

/// <summary>The real service in the ASP.NET Core test host, on its own database.</summary>
public sealed class CallPushApp(string connectionString, IReadOnlyDictionary<string, string?>? settings = null, CapturedLogs? logs = null)
    : WebApplicationFactory<Program>
{
    public string ConnectionString { get; } = connectionString;

    public static async Task<CallPushApp> StartAsync(PostgresFixture postgres, IReadOnlyDictionary<string, string?>? settings = null,
        CapturedLogs? logs = null)
    {
        var app = new CallPushApp(await postgres.CreateDatabaseAsync(), settings, logs);
        await app.WaitUntilReadyAsync();
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:CallPush", ConnectionString);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Warning);
            if (logs is not null)
            {
                logging.AddProvider(logs);
                logging.AddFilter<CapturedLogs>("CallPush", LogLevel.Information);
            }
        });
    }

    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await client.GetAsync("/health/ready");
            if (response.IsSuccessStatusCode)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the service did not become ready");
            }
            await Task.Delay(50);
        }
    }

    public async Task<T?> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public async Task<List<Dictionary<string, object?>>> RowsAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }
}

public static class PushClientExtensions
{
    /// <summary>POSTs a push the way the platform does, with its content type and push id header.</summary>
    public static Task<HttpResponseMessage> PushAsync(this HttpClient client, string? action, string body, string? pushUuid = null,
        string? version = "1", string contentType = "application/json; charset=utf8")
    {
        var query = new List<string>();
        if (action is not null)
        {
            query.Add("action=" + Uri.EscapeDataString(action));
        }
        if (version is not null)
        {
            query.Add("version=" + version);
        }
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var request = new HttpRequestMessage(HttpMethod.Post, "/push" + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty))
        {
            Content = content,
        };
        if (pushUuid is not null)
        {
            request.Headers.TryAddWithoutValidation("X-TCCC-PUSH-UUID", pushUuid);
        }
        return client.SendAsync(request);
    }

    public static async Task<PushReply> ReadPushReplyAsync(this HttpResponseMessage response)
    {
        var json = await response.Content.ReadAsStringAsync();
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return new PushReply((int)response.StatusCode, document.RootElement.GetProperty("ErrCode").GetInt32(),
            document.RootElement.GetProperty("ErrMsg").GetString() ?? string.Empty);
    }

    public static async Task<PushReply> PushAndReadAsync(this HttpClient client, string? action, string body, string? pushUuid = null,
        string? version = "1", string contentType = "application/json; charset=utf8")
    {
        using var response = await client.PushAsync(action, body, pushUuid, version, contentType);
        return await response.ReadPushReplyAsync();
    }
}

public sealed record PushReply(int Status, int ErrCode, string ErrMsg);
