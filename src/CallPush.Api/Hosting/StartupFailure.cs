using Microsoft.Extensions.Options;

namespace CallPush.Api.Hosting;

/// <summary>A deployment that cannot work stops at once with one line that says why, not a stack trace.</summary>
internal static class StartupFailure
{
    public const int ExitCode = 78; // EX_CONFIG

    public static void Exit(string message)
    {
        Console.Error.WriteLine($"CallPush cannot start: {message}");
        Environment.Exit(ExitCode);
    }

    /// <summary>
    /// Invalid configuration surfaces as an exception out of start-up; in a real process it ends as one line instead.
    /// A test host catches the exception itself, so this handler never sees it there.
    /// </summary>
    public static void ExplainConfigurationErrors() => AppDomain.CurrentDomain.UnhandledException += (_, e) =>
    {
        if (e.ExceptionObject is OptionsValidationException invalid)
        {
            Exit(string.Join("; ", invalid.Failures));
        }
    };
}
