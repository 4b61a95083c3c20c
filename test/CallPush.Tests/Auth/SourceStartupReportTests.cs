using CallPush.Api.Features.Auth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CallPush.Tests.Auth;

public sealed class SourceStartupReportTests
{
    [Fact]
    public async Task The_start_up_report_lists_each_source_and_what_the_global_credentials_may_write_without_a_secret()
    {
        var auth = new PushAuthOptions { Mode = "Basic", Basic = { Username = "tccc", Password = "global-secret-value" } };
        var sources = new PushSourcesOptions
        {
            Sources =
            {
                ["shop"] = new PushSourceOptions
                {
                    SdkAppIds = [1400000001, 1400000002],
                    Auth = new SourceAuthOptions { Basic = new BasicAuthOptions { Username = "shop-push", Password = "shop-secret-value" } },
                },
                ["archive"] = new PushSourceOptions { SdkAppIds = [1400000009] },
            },
        };
        var logger = new CapturingLogger();
        var report = new AuthStartupReport(Options.Create(auth), Options.Create(sources),
            new PushTenancy(Options.Create(auth), Options.Create(sources)), logger);

        await report.StartAsync(TestContext.Current.CancellationToken);

        var text = string.Join("\n", logger.Messages);
        Assert.Contains("Source 'shop' (SdkAppIds 1400000001, 1400000002) pushes with its own credentials", text, StringComparison.Ordinal);
        Assert.Contains("username 'shop-push'", text, StringComparison.Ordinal);
        Assert.Contains("CallPush__Sources__shop__Auth__Basic__Password", text, StringComparison.Ordinal);
        Assert.Contains("may write only SdkAppIds that no source with its own credentials lists", text, StringComparison.Ordinal);
        Assert.DoesNotContain("'archive'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", text, StringComparison.Ordinal);
    }

    private sealed class CapturingLogger : ILogger<AuthStartupReport>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
