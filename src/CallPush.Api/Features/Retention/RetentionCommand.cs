using System.Globalization;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallPush.Api.Features.Retention;

/// <summary><c>retention purge [--dry-run]</c>: one purge round of push_log now, with the service's settings and lock.</summary>
internal static class RetentionCommand
{
    public const string Name = "retention";
    public const int UsageExitCode = 2;
    public const int FailureExitCode = 1;
    public const int BusyExitCode = 3;

    private const string Usage = """
        Usage:
          retention purge [--dry-run]
        Deletes the push_log rows older than CallPush__Retention__PushLogDays days that no session, recording or
        voicemail references (see docs/retention.md); --dry-run only counts them.
        """;

    public static bool IsRequested(string[] args) => args is [Name, ..];

    public static async Task<int> RunAsync(WebApplicationBuilder builder, string[] args)
    {
        if (args is not ([Name, "purge"] or [Name, "purge", "--dry-run"]))
        {
            await Console.Error.WriteLineAsync(Usage);
            return UsageExitCode;
        }
        var dryRun = args.Length == 3;

        CommandHosting.AddCommandLoggingAndDatabase(builder);
        builder.Services.AddRetentionServices();
        await using var app = builder.Build();
        var localServer = app.Services.GetService<LocalPostgres>();
        try
        {
            RetentionOptions options;
            try
            {
                options = app.Services.GetRequiredService<IOptions<RetentionOptions>>().Value;
            }
            catch (OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync($"CallPush retention: the configuration is not valid: {string.Join("; ", e.Failures)}");
                return FailureExitCode;
            }
            if (options.PushLogDays is null)
            {
                await Console.Out.WriteLineAsync("CallPush__Retention__PushLogDays is not set: push_log is kept whole, nothing is purged");
                return 0;
            }
            await using (var scope = app.Services.CreateAsyncScope())
            {
                await SchemaMigration.MigrateAsync(scope.ServiceProvider.GetRequiredService<CallPushDbContext>(),
                    scope.ServiceProvider.GetRequiredService<NpgsqlDataSource>(), CancellationToken.None);
            }

            using var interrupt = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                interrupt.Cancel();
            };
            var result = await app.Services.GetRequiredService<PushLogPurger>().TryPurgeAsync(dryRun, interrupt.Token);
            if (result is null)
            {
                await Console.Error.WriteLineAsync("CallPush retention: another process is purging push_log now");
                return BusyExitCode;
            }
            var cutoff = result.Cutoff.ToString("u", CultureInfo.InvariantCulture);
            await Console.Out.WriteLineAsync(dryRun
                ? string.Create(CultureInfo.InvariantCulture, $"Would purge {result.Purged} push_log rows received before {cutoff} (dry run: nothing deleted)")
                : string.Create(CultureInfo.InvariantCulture, $"Purged {result.Purged} push_log rows received before {cutoff}"));
            return 0;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("CallPush retention: interrupted; the rows purged so far stay purged");
            return FailureExitCode;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"CallPush retention purge failed: {e.Message.ReplaceLineEndings(" ")}");
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
}
