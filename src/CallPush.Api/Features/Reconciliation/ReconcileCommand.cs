using System.Globalization;
using CallPush.Api.Features.Push;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;
using Spectre.Console;

namespace CallPush.Api.Features.Reconciliation;

/// <summary>
/// <c>reconcile --source &lt;name&gt; --from &lt;time&gt; --to &lt;time&gt;</c>: reconciles one window by hand, on the database
/// the service would use (migrated first), with a progress bar on a terminal and a line per page otherwise.
/// </summary>
internal static class ReconcileCommand
{
    public const string Name = "reconcile";
    public const int UsageExitCode = 2;
    public const int FailureExitCode = 1;
    public const int BusyExitCode = 3;

    private const string Usage = """
        Usage:
          reconcile --source <name> --from <time> --to <time>
        Times are ISO 8601 (UTC unless they name an offset), e.g. 2026-12-01T08:00:00Z. The window must be shorter than
        90 days and lie within the last 180 days.
        """;

    public static bool IsRequested(string[] args) => args is [Name, ..];

    public static async Task<int> RunAsync(WebApplicationBuilder builder, string[] args)
    {
        if (Parse(args[1..]) is not { } window)
        {
            await Console.Error.WriteLineAsync(Usage);
            return UsageExitCode;
        }

        CommandHosting.AddCommandLoggingAndDatabase(builder);
        builder.AddPushIngestion();
        builder.Services.AddReconciliationServices();
        await using var app = builder.Build();
        var localServer = app.Services.GetService<LocalPostgres>();
        try
        {
            try
            {
                _ = app.Services.GetRequiredService<IOptions<SourcesOptions>>().Value;
            }
            catch (OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync($"CallPush reconcile: the configuration is not valid: {string.Join("; ", e.Failures)}");
                return FailureExitCode;
            }
            var runner = app.Services.GetRequiredService<ReconciliationRunner>();
            if (runner.Problem(window) is { } problem)
            {
                await Console.Error.WriteLineAsync($"CallPush reconcile: {problem}");
                return UsageExitCode;
            }
            await using (var scope = app.Services.CreateAsyncScope())
            {
                await SchemaMigration.MigrateAsync(scope.ServiceProvider.GetRequiredService<CallPushDbContext>(),
                    scope.ServiceProvider.GetRequiredService<NpgsqlDataSource>(), CancellationToken.None);
            }
            app.Services.GetRequiredService<DatabaseState>().MarkSchemaCurrent();

            using var interrupt = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                interrupt.Cancel();
            };
            var started = await runner.TryStartAsync(window, interrupt.Token);
            if (started is null)
            {
                await Console.Error.WriteLineAsync($"CallPush reconcile: a reconciliation of source '{window.Source}' is already running");
                return BusyExitCode;
            }
            var run = Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive
                ? await runner.CompleteAsync(started, PrintLine, interrupt.Token)
                : await WithProgressBarAsync(runner, started, interrupt.Token);
            await Console.Out.WriteLineAsync(Summary(run));
            return run.Status == ReconcileRun.Succeeded ? 0 : FailureExitCode;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"CallPush reconcile failed: {e.Message.ReplaceLineEndings(" ")}");
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

    private static Task<ReconcileRun> WithProgressBarAsync(ReconciliationRunner runner, StartedRun started, CancellationToken cancellationToken) =>
        AnsiConsole.Progress().AutoClear(false).StartAsync(async context =>
        {
            var tasks = new Dictionary<long, ProgressTask>();
            return await runner.CompleteAsync(started, progress =>
            {
                if (!tasks.TryGetValue(progress.SdkAppId, out var task))
                {
                    task = tasks[progress.SdkAppId] = context.AddTask($"SdkAppId {progress.SdkAppId}");
                }
                task.MaxValue = Math.Max(1, progress.Total);
                task.Value = progress.Done;
                task.Description = $"SdkAppId {progress.SdkAppId}: {progress.Run.Filled} filled, {progress.Run.Updated} updated";
            }, cancellationToken);
        });

    private static void PrintLine(ReconcileProgress progress) => Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"SdkAppId {progress.SdkAppId}: {progress.Done}/{progress.Total} sessions read, page {progress.Run.Pages}, {progress.Run.Missing} missing, {progress.Run.Filled} filled, {progress.Run.Updated} updated, {progress.Run.Errors} errors"));

    public static string Summary(ReconcileRun run) => string.Create(CultureInfo.InvariantCulture,
        $"Run {run.Id} {run.Status}: {run.Pages} pages, {run.SessionsSeen} sessions seen, {run.Missing} missing, {run.Filled} filled, {run.Updated} updated, {run.Errors} errors")
        + (run.LastError is null ? string.Empty : $"; last error: {run.LastError}");

    private static ReconcileWindow? Parse(string[] args)
    {
        string? source = null;
        DateTimeOffset? from = null, to = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--source":
                    source = args[i + 1];
                    break;
                case "--from":
                    from = Time(args[i + 1]);
                    break;
                case "--to":
                    to = Time(args[i + 1]);
                    break;
                default:
                    return null;
            }
        }
        return args.Length % 2 == 0 && source is { Length: > 0 } && from is { } f && to is { } t
            ? new ReconcileWindow(source, f, t, ReconcileRun.ManualTrigger)
            : null;
    }

    private static DateTimeOffset? Time(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
}
