using System.Globalization;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;
using Spectre.Console;

namespace CallPush.Api.Features.Exports;

/// <summary>
/// <c>export run --job &lt;id|name&gt; [--day YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD]</c> | <c>export jobs</c> |
/// <c>export runs [--job &lt;id|name&gt;]</c>, on the database the service would use. A run started here is recorded like
/// any other (triggered_by cli) and refused while another run of the job is pending or running.
/// </summary>
internal static class ExportCommand
{
    public const string Name = "export";
    public const int UsageExitCode = 2;
    public const int FailureExitCode = 1;
    public const int ConflictExitCode = 3;

    private const string Usage = """
        Usage:
          export run --job <id|name> [--day YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD]
          export jobs
          export runs [--job <id|name>]
        """;

    public static bool IsRequested(string[] args) => args is [Name, ..];

    public static async Task<int> RunAsync(WebApplicationBuilder builder, string[] args)
    {
        var options = Options(args[2..]);
        var command = args.Length > 1 ? args[1] : "";
        if (command is not ("run" or "jobs" or "runs") || options is null || command == "run" && !options.ContainsKey("--job")
            || !TryDay(options, "--day", out var day) || !TryDay(options, "--from", out var from) || !TryDay(options, "--to", out var to)
            || day is not null && (from is not null || to is not null))
        {
            await Console.Error.WriteLineAsync(Usage);
            return UsageExitCode;
        }

        CommandHosting.AddCommandLoggingAndDatabase(builder);
        ExportsExtensions.AddExportServices(builder);
        await using var app = builder.Build();
        var localServer = app.Services.GetService<LocalPostgres>();
        try
        {
            await using (var scope = app.Services.CreateAsyncScope())
            {
                await SchemaMigration.MigrateAsync(scope.ServiceProvider.GetRequiredService<CallPushDbContext>(),
                    scope.ServiceProvider.GetRequiredService<NpgsqlDataSource>(), CancellationToken.None);
            }
            await app.Services.GetRequiredService<ExportDeclarations>().ApplyAsync(CancellationToken.None);
            var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
            long? jobId = options.TryGetValue("--job", out var job) ? await FindJobAsync(dataSource, job) : null;
            if (options.ContainsKey("--job") && jobId is null)
            {
                await Console.Error.WriteLineAsync($"CallPush export failed: no job has the id or name '{job}'");
                return FailureExitCode;
            }
            return command switch
            {
                "run" => await RunJobAsync(app.Services, jobId!.Value, day ?? from, day ?? to ?? from),
                "jobs" => await ListJobsAsync(dataSource),
                _ => await ListRunsAsync(dataSource, jobId),
            };
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"CallPush export failed: {e.Message}");
            return FailureExitCode;
        }
        finally
        {
            if (localServer is { Adopted: false })
            {
                await localServer.StopAsync();
            }
        }
    }

    private static Dictionary<string, string>? Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], i + 1 < args.Length ? args[++i] : null);
            if (name is not ("--job" or "--day" or "--from" or "--to") || value is null)
            {
                return null;
            }
            options[name] = value;
        }
        return options;
    }

    private static bool TryDay(Dictionary<string, string> options, string name, out DateOnly? day)
    {
        day = null;
        if (!options.TryGetValue(name, out var text))
        {
            return true;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            day = parsed;
            return true;
        }
        return false;
    }

    private static async Task<long?> FindJobAsync(NpgsqlDataSource dataSource, string job)
    {
        await using var command = dataSource.CreateCommand("SELECT id FROM export_jobs WHERE name = $1 OR id::text = $1 ORDER BY (name = $1) DESC LIMIT 1");
        command.Parameters.Add(new NpgsqlParameter { Value = job });
        return await command.ExecuteScalarAsync() as long?;
    }

    private static async Task<int> RunJobAsync(IServiceProvider services, long jobId, DateOnly? from, DateOnly? to)
    {
        var queue = services.GetRequiredService<ExportRunQueue>();
        var runner = services.GetRequiredService<ExportRunner>();
        var (runId, activeRunId) = await queue.EnqueueAsync(jobId, "cli", from, to, CancellationToken.None);
        if (runId is null)
        {
            await Console.Error.WriteLineAsync($"CallPush export: run {activeRunId} of job {jobId} is pending or running; not started again.");
            return ConflictExitCode;
        }
        var owner = ExportRunner.NewOwner();
        var lease = services.GetRequiredService<IOptions<ExportsOptions>>().Value.Lease;
        var claimed = await queue.ClaimAsync(owner, lease, runId, CancellationToken.None)
            ?? throw new InvalidOperationException($"run {runId} was taken by the scheduler of a running service; follow it with 'export runs'");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        RunOutcome outcome;
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsErrorRedirected && !Console.IsOutputRedirected)
        {
            outcome = await AnsiConsole.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    ProgressTask? current = null;
                    var currentPath = "";
                    var result = await runner.ExecuteAsync(claimed, owner, (path, rows) =>
                    {
                        var description = $"{Markup.Escape(path)}  {rows:N0} rows";
                        if (current is null || currentPath != path)
                        {
                            current?.StopTask();
                            current = context.AddTask(description).IsIndeterminate();
                            currentPath = path;
                        }
                        current.Description = description;
                    }, stop.Token);
                    current?.StopTask();
                    return result;
                });
        }
        else
        {
            var lastPath = "";
            outcome = await runner.ExecuteAsync(claimed, owner, (path, rows) =>
            {
                if (path != lastPath)
                {
                    Console.Error.WriteLine($"writing {path}");
                    lastPath = path;
                }
                else if (rows > 0 && rows % 100_000 == 0)
                {
                    Console.Error.WriteLine($"  {path}: {rows} rows");
                }
            }, stop.Token);
        }
        await Console.Out.WriteLineAsync($"run {outcome.RunId} {outcome.Status}: {outcome.Rows} rows{(outcome.Error is null ? "" : $" ({outcome.Error})")}");
        return outcome.Status == ExportRun.Success ? 0 : FailureExitCode;
    }

    private static async Task<int> ListJobsAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand($"SELECT {ExportJobRows.Columns} FROM export_jobs ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            var job = ExportJobRows.Read(reader);
            rows.Add([job.Id.ToString(CultureInfo.InvariantCulture), job.Name, job.Frequency + (job.At is null ? "" : " " + job.At), job.TimeZone,
                job.Enabled ? "enabled" : "paused", Time(job.NextRunAt), string.Join(',', job.Containers)]);
        }
        await PrintAsync(["ID", "NAME", "FREQUENCY", "TIME ZONE", "STATE", "NEXT RUN", "CONTAINERS"], rows);
        return 0;
    }

    private static async Task<int> ListRunsAsync(NpgsqlDataSource dataSource, long? jobId)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT id, job_id, triggered_by, status, started_at, finished_at, coalesce(array_to_string(days, ','), ''), rows, coalesce(error, '')
            FROM export_runs WHERE $1::bigint IS NULL OR job_id = $1 ORDER BY id DESC LIMIT 50
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)jobId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            rows.Add([reader.GetInt64(0).ToString(CultureInfo.InvariantCulture), reader.GetInt64(1).ToString(CultureInfo.InvariantCulture),
                reader.GetString(2), reader.GetString(3),
                Time(reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)),
                Time(reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)),
                reader.GetString(6), reader.GetInt64(7).ToString(CultureInfo.InvariantCulture), reader.GetString(8)]);
        }
        await PrintAsync(["RUN", "JOB", "BY", "STATUS", "STARTED", "FINISHED", "DAYS", "ROWS", "ERROR"], rows);
        return 0;
    }

    private static async Task PrintAsync(string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            await Console.Out.WriteLineAsync(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    private static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
}
