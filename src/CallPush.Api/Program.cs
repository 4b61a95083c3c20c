using CallPush.Api.Diagnostics;
using CallPush.Api.Features.Auth;
using CallPush.Api.Features.Push;
using CallPush.Api.Features.Token;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;

if (args is [HashSecretCommand.Name])
{
    return HashSecretCommand.Run(Console.In, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddCallPushDatabase();
builder.AddCallPushHealth();
builder.AddPushIngestion();
builder.AddPushAuthentication();

var app = builder.Build();

app.UseErrorAnswers();
HealthEndpoints.Map(app);
PushEndpoint.Map(app);
TokenEndpoint.Map(app);

app.Run();
return 0;
