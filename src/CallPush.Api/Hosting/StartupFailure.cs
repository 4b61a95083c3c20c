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
}
