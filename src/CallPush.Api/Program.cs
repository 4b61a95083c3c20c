using CallPush.Api.Diagnostics;
using CallPush.Api.Features.Push;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;

var builder = WebApplication.CreateBuilder(args);

builder.AddCallPushTelemetry();
builder.AddServerLimits();
builder.AddClientRateLimiting();
builder.AddCallPushDatabase();
builder.AddCallPushHealth();
builder.AddPushIngestion();

var app = builder.Build();

app.UseServerSpans();
app.UseErrorAnswers();
app.UseRateLimiter();
HealthEndpoints.Map(app);
PushEndpoint.Map(app);

app.Run();
