using System.CommandLine;
using CallPush.Simulator.Sending;
using CallPush.Simulator.Sessions;

namespace CallPush.Simulator.Cli;

/// <summary>How to reach and authenticate to the receiver: the same settings as the platform's push configuration.</summary>
internal sealed class SenderOptions
{
    public const string PasswordVariable = "CALLPUSH_SIM_PASSWORD";
    public const string ClientSecretVariable = "CALLPUSH_SIM_CLIENT_SECRET";

    public Option<Uri> Url { get; } = new("--url")
    {
        Description = "The push address as registered in the console, e.g. http://127.0.0.1:8080/push (action and version are added)",
        Required = true,
        CustomParser = CliParsing.HttpUrl,
    };

    public Option<string> Auth { get; } = new Option<string>("--auth")
    {
        Description = "Authentication: none, basic (--user, --password) or oauth2 (--client-id, --client-secret, --token-url)",
        DefaultValueFactory = _ => "none",
    }.AcceptOnlyFromAmong("none", "basic", "oauth2");

    public Option<string?> User { get; } = new("--user") { Description = "basic: the account name" };

    public Option<string?> Password { get; } = new("--password") { Description = $"basic: the password (or set {PasswordVariable})" };

    public Option<string?> ClientId { get; } = new("--client-id") { Description = "oauth2: the client id" };

    public Option<string?> ClientSecret { get; } = new("--client-secret") { Description = $"oauth2: the client secret (or set {ClientSecretVariable})" };

    public Option<Uri?> TokenUrl { get; } = new("--token-url")
    {
        Description = "oauth2: the token URL (default: /oauth/token on the push address's host)",
        CustomParser = CliParsing.HttpUrl,
    };

    public Option<string?> Scope { get; } = new("--scope") { Description = "oauth2: the scope to request, if the token endpoint wants one" };

    public Option<TimeSpan> Timeout { get; } = CliParsing.DurationOption("--timeout", "How long one delivery may take before it is pushed again", TimeSpan.FromSeconds(5));

    public Option<int> Retries { get; } = new("--retries") { Description = "Re-pushes of a push not answered ErrCode 0 (the platform: 3)", DefaultValueFactory = _ => 3 };

    public Option<TimeSpan> RetryDelay { get; } = CliParsing.DurationOption("--retry-delay", "Pause before a re-push", TimeSpan.FromSeconds(1));

    public Option<long> SdkAppId { get; } = new("--sdk-app-id") { Description = "The contact-center instance id in the pushes", DefaultValueFactory = _ => 1400123456 };

    public Option<int?> Seed { get; } = new("--seed") { Description = "Seed for the generated sessions (repeatable runs; ids stay unique)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Url, Auth, User, Password, ClientId, ClientSecret, TokenUrl, Scope, Timeout, Retries, RetryDelay, SdkAppId, Seed })
        {
            command.Add(option);
        }
        command.Validators.Add(result =>
        {
            var mode = result.GetValue(Auth);
            if (mode == "basic" && (string.IsNullOrEmpty(result.GetValue(User)) || string.IsNullOrEmpty(PasswordOf(result.GetValue(Password)))))
            {
                result.AddError($"--auth basic needs --user and --password (or {PasswordVariable})");
            }
            if (mode == "oauth2" && (string.IsNullOrEmpty(result.GetValue(ClientId)) || string.IsNullOrEmpty(SecretOf(result.GetValue(ClientSecret)))))
            {
                result.AddError($"--auth oauth2 needs --client-id and --client-secret (or {ClientSecretVariable})");
            }
            if (result.GetValue(Retries) is < 0 or > 10)
            {
                result.AddError("--retries is between 0 and 10");
            }
        });
    }

    public PushClient CreateClient(ParseResult parse, HttpClient http, bool captureExchanges)
    {
        var url = parse.GetRequiredValue(Url);
        var options = new PushClientOptions(url)
        {
            Timeout = parse.GetValue(Timeout),
            MaxRetries = parse.GetValue(Retries),
            RetryDelay = parse.GetValue(RetryDelay),
            CaptureExchanges = captureExchanges,
        };
        return new PushClient(http, options, CreateAuthentication(parse, http, url));
    }

    public SessionGenerator CreateGenerator(ParseResult parse) => new(
        new SessionGeneratorOptions { SdkAppId = parse.GetValue(SdkAppId) },
        parse.GetValue(Seed) is { } seed ? new Random(seed) : new Random(),
        TimeProvider.System);

    private PushAuthentication CreateAuthentication(ParseResult parse, HttpClient http, Uri url) => parse.GetValue(Auth) switch
    {
        "basic" => new BasicAuthentication(parse.GetValue(User)!, PasswordOf(parse.GetValue(Password))!),
        "oauth2" => new ClientCredentialsAuthentication(http, parse.GetValue(TokenUrl) ?? new Uri(url, "/oauth/token"),
            parse.GetValue(ClientId)!, SecretOf(parse.GetValue(ClientSecret))!, parse.GetValue(Scope), TimeProvider.System),
        _ => PushAuthentication.None,
    };

    private static string? PasswordOf(string? given) => given ?? Environment.GetEnvironmentVariable(PasswordVariable);

    private static string? SecretOf(string? given) => given ?? Environment.GetEnvironmentVariable(ClientSecretVariable);
}
