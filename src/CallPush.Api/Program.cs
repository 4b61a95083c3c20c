using CallPush.Api.Diagnostics;
using CallPush.Api.Features.Push;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;

var builder = WebApplication.CreateBuilder(args);
if (MigrateCommand.IsRequested(args))
{
    return await MigrateCommand.RunAsync(builder);
}

builder.AddCallPushDatabase();
builder.AddCallPushHealth();
builder.AddPushIngestion();

var app = builder.Build();

app.UseErrorAnswers();
HealthEndpoints.Map(app);
PushEndpoint.Map(app);

await app.RunAsync();
return 0;
