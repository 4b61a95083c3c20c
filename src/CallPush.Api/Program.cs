using CallPush.Api.Answers;
using CallPush.Api.Diagnostics;
using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Features.Auth;
using CallPush.Api.Features.Exports;
using CallPush.Api.Features.Push;
using CallPush.Api.Features.Reconciliation;
using CallPush.Api.Features.Recordings;
using CallPush.Api.Features.Reprocessing;
using CallPush.Api.Features.Retention;
using CallPush.Api.Features.Statistics;
using CallPush.Api.Features.StatisticsChannel;
using CallPush.Api.Features.Tenants;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;

StartupFailure.ExplainConfigurationErrors();
if (args is [HashSecretCommand.Name])
{
    return HashSecretCommand.Run(Console.In, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
if (MigrateCommand.IsRequested(args))
{
    return await MigrateCommand.RunAsync(builder);
}
if (ApiKeysCommand.IsRequested(args))
{
    return await ApiKeysCommand.RunAsync(builder, args);
}
if (StatisticsCommand.IsRequested(args))
{
    return await StatisticsCommand.RunAsync(builder, args);
}
if (ExportCommand.IsRequested(args))
{
    return await ExportCommand.RunAsync(builder, args);
}
if (ReconcileCommand.IsRequested(args))
{
    return await ReconcileCommand.RunAsync(builder, args);
}
if (TenantReadersCommand.IsRequested(args))
{
    return await TenantReadersCommand.RunAsync(builder, args);
}
if (ReprocessCommand.IsRequested(args))
{
    return await ReprocessCommand.RunAsync(builder, args);
}
if (RetentionCommand.IsRequested(args))
{
    return await RetentionCommand.RunAsync(builder, args);
}

builder.AddPushAuthentication(); // first, so a misconfiguration stops start-up before a private database is started
builder.AddApiKeys();
builder.AddCallPushTelemetry();
builder.AddServerLimits();
builder.AddClientRateLimiting();
var connectionString = LocalPostgresHosting.ConnectionStringOrStartLocal(builder);
builder.AddCallPushDatabase(connectionString);
builder.AddCallPushHealth();
builder.AddPushIngestion();
builder.AddRecordings();
builder.AddStatistics();
builder.AddStatisticsChannel();
builder.AddExports();
builder.AddReconciliation();
builder.AddReprocessing();
builder.AddRetention();
builder.AddCallPushEndpoints();
builder.AddCallPushOpenApi();

var app = builder.Build();

app.UseErrorAnswers();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseCallPushEndpoints();
app.UseCallPushOpenApi();

await app.RunAsync();
return 0;
