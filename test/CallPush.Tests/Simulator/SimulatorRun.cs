using System.CommandLine;
using CallPush.Simulator.Cli;
using CallPush.Tests.Infrastructure;
using Spectre.Console;

namespace CallPush.Tests.Simulator;

internal static class SimulatorRun
{
    /// <summary>Runs a simulator command line against the service in the test host; returns its exit code and all it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(CallPushApp app, params string[] args)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        var exitCode = await SimulatorCli.Build(console, () => app.Server.CreateHandler()).Parse(args)
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = output });
        return (exitCode, output.ToString());
    }
}
