using CallPush.Tests.Infrastructure;
using Npgsql;
using static CallPush.Tests.Exports.ExportTestSupport;

namespace CallPush.Tests.Exports;

/// <summary>The <c>export</c> command, run as an operator would: a child process on the service's database.</summary>
public sealed class ExportCommandTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _root = NewRoot();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_declared_job_runs_from_the_command_line_with_plain_progress_lines_and_a_second_run_is_refused_while_one_is_pending()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var environment = new Dictionary<string, string>
        {
            ["CallPush__Exports__FolderRoot"] = _root,
            ["CallPush__Exports__Connectors__local__Kind"] = "folder",
            ["CallPush__Exports__Connectors__local__Path"] = "cli",
            ["CallPush__Exports__Jobs__nightly__Connector"] = "local",
            ["CallPush__Exports__Jobs__nightly__Containers__0"] = "calls",
            ["CallPush__Exports__Jobs__nightly__Containers__1"] = "skill_groups",
            ["CallPush__Exports__Jobs__nightly__Tenants__0"] = SdkAppId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CallPush__Exports__Jobs__nightly__TimeZone"] = "Asia/Shanghai",
        };

        var (exitCode, output, error) = await ServiceCommand.RunAsync(["export", "run", "--job", "nightly", "--day", "2026-03-07"], connectionString, environment);

        Assert.True(exitCode == 0, error);
        Assert.Equal("run 1 success: 0 rows", output.Trim());
        Assert.Contains($"writing CCAAS/FACTS/{SdkAppId}-calls-F/20260307-{SdkAppId}-calls-F.csv", error);
        var file = Path.Combine(_root, "cli", $"CCAAS/FACTS/{SdkAppId}-calls-F/20260307-{SdkAppId}-calls-F.csv");
        Assert.StartsWith("id,sdk_app_id,session_id,caller,", await File.ReadAllTextAsync(file));
        Assert.Single(await ReadCsvAsync(file));

        var runs = await ServiceCommand.RunAsync(["export", "runs"], connectionString, environment);
        Assert.Equal(0, runs.ExitCode);
        Assert.Contains("cli  success", runs.Output);
        var jobs = await ServiceCommand.RunAsync(["export", "jobs"], connectionString, environment);
        Assert.Contains("nightly", jobs.Output);

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var pending = new NpgsqlCommand(
                "INSERT INTO export_runs (job_id, triggered_by, status, created_at, attempts, rows, bytes) SELECT id, 'manual', 'pending', now(), 0, 0, 0 FROM export_jobs", connection);
            await pending.ExecuteNonQueryAsync();
        }
        var refused = await ServiceCommand.RunAsync(["export", "run", "--job", "nightly"], connectionString, environment);
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("run 2 of job 1 is pending or running", refused.Error);

        var usage = await ServiceCommand.RunAsync(["export", "run", "--day", "yesterday"], connectionString, environment);
        Assert.Equal(2, usage.ExitCode);
    }
}
