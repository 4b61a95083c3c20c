using System.Globalization;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallPush.Api.Features.Statistics;

/// <summary>
/// <c>stats rebuild --from &lt;yyyy-MM-dd&gt; --to &lt;yyyy-MM-dd&gt; [--apply-current-thresholds]</c>: recomputes every
/// statistics interval of those UTC days (both included) from call_sessions and serve_participants, one transaction
/// per day. The database is the one the service would use, migrated first.
/// </summary>
internal static class StatisticsCommand
{
    public const string Name = "stats";
    public const int UsageExitCode = 2;
    public const int FailureExitCode = 1;

    private const string Usage = """
        Usage:
          stats rebuild --from <yyyy-MM-dd> --to <yyyy-MM-dd> [--apply-current-thresholds]
              recomputes the 15-minute statistics of those UTC days (both included) from the stored CDRs;
              rows keep the t1/t2 thresholds they were computed with unless --apply-current-thresholds
        """;

    private sealed record Rebuild(DateOnly From, DateOnly To, bool ApplyCurrentThresholds);

    public static bool IsRequested(string[] args) => args is [Name, ..];

    public static async Task<int> RunAsync(WebApplicationBuilder builder, string[] args)
    {
        var (request, problem) = Parse(args[1..]);
        if (request is null)
        {
            await Console.Error.WriteLineAsync($"{problem}\n{Usage}");
            return UsageExitCode;
        }

        CommandHosting.AddCommandLoggingAndDatabase(builder);
        builder.Services.AddStatisticsOptions();
        builder.Services.AddSingleton<StatisticsRecomputer>();
        await using var app = builder.Build();
        var localServer = app.Services.GetService<LocalPostgres>();
        try
        {
            _ = app.Services.GetRequiredService<IOptions<StatisticsOptions>>().Value;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                await SchemaMigration.MigrateAsync(scope.ServiceProvider.GetRequiredService<CallPushDbContext>(),
                    scope.ServiceProvider.GetRequiredService<NpgsqlDataSource>(), CancellationToken.None);
            }
            var recomputer = app.Services.GetRequiredService<StatisticsRecomputer>();
            var from = new DateTimeOffset(request.From.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var to = new DateTimeOffset(request.To.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var (skillGroupRows, agentRows) = await recomputer.RebuildAsync(from, to, request.ApplyCurrentThresholds, CancellationToken.None);
            await Console.Out.WriteLineAsync(
                $"CallPush stats rebuild: {request.From:yyyy-MM-dd} to {request.To:yyyy-MM-dd}: " +
                $"{skillGroupRows} skill group interval(s) and {agentRows} agent interval(s) written or removed" +
                (request.ApplyCurrentThresholds ? ", with the current thresholds" : string.Empty));
            return 0;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"CallPush stats failed: {e.Message}");
            return FailureExitCode;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"CallPush stats failed: {OneLine(e)}");
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

    private static (Rebuild? Request, string? Problem) Parse(string[] args)
    {
        if (args is not ["rebuild", .. var options])
        {
            return (null, args.Length == 0 ? "stats needs a command" : $"unknown stats command '{string.Join(' ', args)}'");
        }
        DateOnly? from = null, to = null;
        var apply = false;
        for (var i = 0; i < options.Length; i++)
        {
            switch (options[i])
            {
                case "--from" when i + 1 < options.Length && TryDate(options[i + 1], out var day):
                    from = day;
                    i++;
                    break;
                case "--to" when i + 1 < options.Length && TryDate(options[i + 1], out var day):
                    to = day;
                    i++;
                    break;
                case "--apply-current-thresholds":
                    apply = true;
                    break;
                default:
                    return (null, $"stats rebuild: unexpected '{options[i]}' (dates are UTC days, yyyy-MM-dd)");
            }
        }
        return (from, to) switch
        {
            ({ } f, { } t) when f <= t => (new Rebuild(f, t, apply), null),
            ({ }, { }) => (null, "stats rebuild: --from is after --to"),
            _ => (null, "stats rebuild needs --from <yyyy-MM-dd> and --to <yyyy-MM-dd>"),
        };
    }

    private static bool TryDate(string text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    private static string OneLine(Exception e) =>
        string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
