using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Exports;

/// <summary>
/// The scheduler: starts runs of due jobs, and executes pending runs and runs whose replica died (expired lease), one at
/// a time per replica. Jobs and connectors declared in configuration are written to the database first.
/// </summary>
internal sealed class ExportWorker(
    ExportRunQueue queue,
    ExportRunner runner,
    ExportDeclarations declarations,
    DatabaseState database,
    IOptions<ExportsOptions> options,
    ILogger<ExportWorker> logger) : BackgroundService
{
    private readonly string _owner = ExportRunner.NewOwner();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!database.SchemaIsCurrent)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken);
        }
        try
        {
            await declarations.ApplyAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ExportLog.DeclarationRefused(logger, $"the declared connectors and jobs could not be written: {e.Message}");
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var (jobId, runId, activeRunId) in await queue.StartDueJobsAsync(stoppingToken))
                {
                    if (runId is null)
                    {
                        ExportLog.OccurrenceSkipped(logger, jobId, activeRunId);
                    }
                }
                while (!stoppingToken.IsCancellationRequested
                    && await queue.ClaimAsync(_owner, options.Value.Lease, null, stoppingToken) is { } run)
                {
                    await runner.ExecuteAsync(run, _owner, null, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is not OperationCanceledException)
            {
                ExportLog.SchedulerUnavailable(logger, e);
            }
            await Task.Delay(options.Value.PollInterval, stoppingToken);
        }
    }
}
