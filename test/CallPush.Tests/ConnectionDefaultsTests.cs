using CallPush.Api.Persistence;
using CallPush.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CallPush.Tests;

/// <summary>The push writer's statements are auto-prepared unless the connection string says otherwise.</summary>
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
}
