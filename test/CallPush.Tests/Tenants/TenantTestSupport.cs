using CallPush.Tests.Infrastructure;
using Npgsql;

namespace CallPush.Tests.Tenants;

/// <summary>Two contact-center instances' data on one service, and SQL run as a given login.</summary>
internal static class TenantTestSupport
{
    public const long Acme = 1400482256;
    public const long Other = 1400000002;

    /// <summary>Configuration of the two sources: acme (SdkAppId <see cref="Acme"/>) and other (<see cref="Other"/>).</summary>
    public static Dictionary<string, string?> Sources() => new()
    {
        ["CallPush:Sources:acme:SdkAppIds:0"] = Acme.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CallPush:Sources:other:SdkAppIds:0"] = Other.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static Dictionary<string, string> SourceVariables() => Sources().ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);

    /// <summary>An answered inbound call, a recording and a voicemail of each instance; waits for their statistics.</summary>
    public static async Task PushBothAsync(CallPushApp app)
    {
        using var client = app.CreateClient();
        foreach (var sdkAppId in new[] { Acme, Other })
        {
            var sessionId = Samples.NewSessionId();
            var cdr = Samples.CdrWith(c =>
            {
                c["SdkAppId"] = sdkAppId;
                c["SessionId"] = sessionId;
                c["Direction"] = 0;
                c["QueuedTimestamp"] = 1677140060;
                c["AcceptTimestamp"] = 1677140069;
            });
            var record = $$"""{"SdkAppId":{{sdkAppId}},"SessionId":"{{sessionId}}","RecordId":"r","EndpointUser":"zhangsan@tencent.com","RecordURL":"https://x/r","Timestamp":1677140090}""";
            var voicemail = $$"""{"SdkAppId":{{sdkAppId}},"SessionId":"{{sessionId}}","RecordURL":"https://x/v","EndpointUser":"13123456789","Timestamp":1677140091}""";
            Assert.Equal(0, (await client.PushAndReadAsync("cdr", cdr, "cdr-" + sessionId)).ErrCode);
            Assert.Equal(0, (await client.PushAndReadAsync("record", record, "record-" + sessionId)).ErrCode);
            Assert.Equal(0, (await client.PushAndReadAsync("voicemail", voicemail, "voicemail-" + sessionId)).ErrCode);
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await app.ScalarAsync<long>(
            "SELECT (SELECT count(DISTINCT sdk_app_id) FROM stat_skill_group_intervals) + (SELECT count(DISTINCT sdk_app_id) FROM stat_agent_intervals)") < 4)
        {
            Assert.True(DateTime.UtcNow < deadline, "the statistics of both instances were not computed");
            await Task.Delay(200);
        }
    }

    /// <summary>A login role with a password, as a DBA would give one to a tenant reader role.</summary>
    public static async Task<string> LoginAsync(string serviceConnectionString, string role, string password = "tenant-password")
    {
        await using (var connection = new NpgsqlConnection(serviceConnectionString))
        {
            await connection.OpenAsync();
            await using var login = new NpgsqlCommand($"ALTER ROLE {role} LOGIN PASSWORD '{password}'", connection);
            await login.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(serviceConnectionString) { Username = role, Password = password, Pooling = false }.ConnectionString;
    }

    public static async Task<long[]> SdkAppIdsAsync(NpgsqlConnection connection, string relation, string column = "sdk_app_id")
    {
        await using var command = new NpgsqlCommand(
            $"SELECT coalesce(array_agg(DISTINCT {column} ORDER BY {column}) FILTER (WHERE {column} IS NOT NULL), '{{}}') FROM {relation}", connection);
        return (long[])(await command.ExecuteScalarAsync())!;
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static string NewRole(string prefix) => $"{prefix}_{Guid.NewGuid().ToString("N")[..10]}";
}
