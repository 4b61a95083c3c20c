using System.Globalization;
using CallPush.Api.Features.Push;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using Npgsql;
using Spectre.Console;

namespace CallPush.Api.Features.Reprocessing;

/// <summary>
/// <c>reprocess --from &lt;time&gt; --to &lt;time&gt; [--action cdr|record|voicemail] [--status rejected|accepted]</c>: runs
/// the stored pushes of a window through today's parser again (after a parser change), on the database the service
/// would use (migrated first), with a progress bar on a terminal and a line per batch otherwise.
/// </summary>
internal static class ReprocessCommand
{
    public const string Name = "reprocess";
    public const int UsageExitCode = 2;
    public const int FailureExitCode = 1;

    private const string Usage = """
        Usage:
          reprocess --from <time> --to <time> [--action cdr|record|voicemail] [--status rejected|accepted]
        Reprocesses the pushes received in [from, to). Times are ISO 8601 (UTC unless they name an offset),
        e.g. 2026-12-01T08:00:00Z.
        """;

    public static bool IsRequested(string[] args) => args is [Name, ..];

    public static async Task<int> RunAsync(WebApplicationBuilder builder, string[] args)
    {
        if (!TryReadOptions(args[1..], out var options))
        {
            await Console.Error.WriteLineAsync(Usage);
            return UsageExitCode;
        }
        var window = ReprocessWindow.Of(options.GetValueOrDefault("--from"), options.GetValueOrDefault("--to"),
            options.GetValueOrDefault("--action"), options.GetValueOrDefault("--status"), out var problem);
        if (window is null)
        {
            await Console.Error.WriteLineAsync($"CallPush reprocess: {problem}");
            await Console.Error.WriteLineAsync(Usage);
            return UsageExitCode;
        }

        CommandHosting.AddCommandLoggingAndDatabase(builder);
        builder.AddPushIngestion();
        builder.AddReprocessing();
        await using var app = builder.Build();
        var localServer = app.Services.GetService<LocalPostgres>();
        try
        {
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
            var reprocessor = app.Services.GetRequiredService<PushReprocessor>();
            var summary = Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive
                ? await reprocessor.RunAsync(window, PrintLine, interrupt.Token)
                : await WithProgressBarAsync(reprocessor, window, interrupt.Token);
            await Console.Out.WriteLineAsync($"Reprocessed: {summary}");
            return 0;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("CallPush reprocess: interrupted; what was done is kept, run the same window again to finish it");
            return FailureExitCode;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"CallPush reprocess failed: {e.Message.ReplaceLineEndings(" ")}");
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

    private static Task<ReprocessSummary> WithProgressBarAsync(PushReprocessor reprocessor, ReprocessWindow window, CancellationToken cancellationToken) =>
        AnsiConsole.Progress().AutoClear(false).StartAsync(async context =>
        {
            var task = context.AddTask("Reprocessing");
            return await reprocessor.RunAsync(window, progress =>
            {
                task.MaxValue = Math.Max(1, progress.Total);
                task.Value = progress.Done;
                task.Description = string.Create(CultureInfo.InvariantCulture,
                    $"{progress.Summary.NowAccepted} now accepted, {progress.Summary.ChangedSessions} changed sessions");
            }, cancellationToken);
        });

    private static void PrintLine(ReprocessProgress progress) =>
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{progress.Done}/{progress.Total} pushes: {progress.Summary}"));

    private static bool TryReadOptions(string[] args, out Dictionary<string, string> options)
    {
        options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (args.Length % 2 != 0)
        {
            return false;
        }
        for (var i = 0; i < args.Length; i += 2)
        {
            if (args[i] is not ("--from" or "--to" or "--action" or "--status") || !options.TryAdd(args[i], args[i + 1]))
            {
                return false;
            }
        }
        return true;
    }
}
