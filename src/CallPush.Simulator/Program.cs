using CallPush.Simulator.Cli;
using Spectre.Console;

namespace CallPush.Simulator;

internal static class Program
{
    public static Task<int> Main(string[] args) => SimulatorCli.Build(AnsiConsole.Console).Parse(args).InvokeAsync();
}
