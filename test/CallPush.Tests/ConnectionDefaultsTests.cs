using CallPush.Api.Features.Push;
using CallPush.Api.Persistence;
using CallPush.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CallPush.Tests;

/// <summary>
/// The push writer's statements are auto-prepared unless the connection string says otherwise, and PostgreSQL runs
/// them with their generic plans, so that it does not plan them again for each push.
/// </summary>
public sealed class ConnectionDefaultsTests(PostgresFixture postgres)
{
    [Theory]
    [InlineData("Host=db;Database=callpush", 64)]
    [InlineData("Host=db;Database=callpush;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;Database=callpush;maxautoprepare=10", 10)]
    public void Max_Auto_Prepare_defaults_to_64_unless_given(string connectionString, int expected) =>
        Assert.Equal(expected, DatabaseExtensions.WithDefaults(connectionString).MaxAutoPrepare);

    [Theory]
    [InlineData("Host=db;Database=callpush", true)]
    [InlineData("Host=db;Database=callpush;No Reset On Close=false", false)]
    public void Connections_skip_the_session_reset_unless_told_otherwise(string connectionString, bool expected) =>
        Assert.Equal(expected, DatabaseExtensions.WithDefaults(connectionString).NoResetOnClose);

    [Fact]
    public void NpgsqlConnectionStringBuilder_ContainsKey_cannot_tell_whether_a_keyword_was_given() =>
        Assert.True(new NpgsqlConnectionStringBuilder("Host=db").ContainsKey("Max Auto Prepare"));

    [Fact]
    public async Task The_service_data_source_auto_prepares()
    {
        await using var app = await CallPushApp.StartAsync(postgres);

        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();

        Assert.Equal(64, new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxAutoPrepare);
    }

    [Fact]
    public async Task Push_statements_run_their_generic_plans_and_leave_the_session_setting_alone()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        // One physical connection, so that every push and the checks below share its prepared statements.
        var settings = DatabaseExtensions.WithDefaults(app.ConnectionString);
        settings.Pooling = true; // the test databases' connection strings turn pooling off
        settings.MaxPoolSize = 1;
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        var store = new PushStore(dataSource);

        for (var i = 0; i < 12; i++)
        {
            var body = System.Text.Encoding.UTF8.GetBytes(Samples.CdrWith(cdr => cdr["SessionId"] = Samples.NewSessionId()));
            var verdict = PushIngestion.Judge("cdr", body);
            var log = new PushLogEntry
            {
                DedupKey = "generic-" + i, Action = "cdr", ReceivedAt = DateTimeOffset.UtcNow, SdkAppId = verdict.Parsed.SdkAppId,
                SessionId = verdict.Parsed.SessionId, Status = PushLogEntry.Accepted, BodyBytes = body.Length, Body = verdict.Parsed.BodyJson,
            };
            Assert.True(await store.StoreAsync(log, verdict.Parsed.Content, TestContext.Current.CancellationToken));
        }

        await using var connection = await dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var plans = new NpgsqlCommand(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO serve_participants%' "
            + "OR statement LIKE 'DELETE FROM ivr_key_presses%' OR statement LIKE 'INSERT INTO call_sessions%'", connection);
        var rows = new List<(string Statement, long Generic, long Custom)>();
        await using (var reader = await plans.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
        }
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.True(r is { Custom: 0, Generic: > 0 }, $"{r.Generic} generic, {r.Custom} custom plans: {r.Statement[..40]}"));

        await using var show = new NpgsqlCommand("SHOW plan_cache_mode", connection);
        Assert.Equal("auto", await show.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }
}
