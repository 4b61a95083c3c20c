using System.Globalization;
using CallPush.Api.Features.Reconciliation;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using Npgsql;

namespace CallPush.Api.Features.ApiKeys;

/// <summary>
/// <c>api-keys create --name &lt;name&gt;</c> | <c>api-keys list</c> | <c>api-keys revoke &lt;prefix&gt;</c>. The database is
/// the one the service would use (<c>ConnectionStrings__CallPush</c>, or the private local cluster), migrated first.
/// A new key is the only thing written to standard output, so <c>KEY=$(... api-keys create --name x)</c> captures it.
/// </summary>
internal static class ApiKeysCommand
{
    public const string Name = "api-keys";
    public const int UsageExitCode = 2;
    public const int FailureExitCode = 1;

    private const string Usage = """
        Usage:
          api-keys create --name <name> [--source <source>]...
                                          prints a new key (shown once) on standard output; with --source,
                                          the key reads only the rows of those configured sources
          api-keys list                   name, prefix, sources, created, last used, revoked
          api-keys revoke <prefix>        the key stops working at once
        """;

    private abstract record Request;
    private sealed record Create(string KeyName, string[] Sources) : Request;
    private sealed record List : Request;
    private sealed record Revoke(string Prefix) : Request;

    public static bool IsRequested(string[] args) => args is [Name, ..];

    public static async Task<int> RunAsync(WebApplicationBuilder builder, string[] args)
    {
        var (request, problem) = Parse(args[1..]);
        if (request is null)
        {
            await Console.Error.WriteLineAsync($"{problem}\n{Usage}");
            return UsageExitCode;
        }
        if (request is Create creation)
        {
            var configured = builder.Configuration.GetSection(SourcesOptions.Section).Get<SourcesOptions>() ?? new SourcesOptions();
            var (names, unknown) = ConfiguredNames(configured, creation.Sources);
            if (names is null)
            {
                await Console.Error.WriteLineAsync($"CallPush api-keys failed: {unknown}");
                return UsageExitCode;
            }
            request = creation with { Sources = names };
        }

        CommandHosting.AddCommandLoggingAndDatabase(builder);
        await using var app = builder.Build();
        var localServer = app.Services.GetService<LocalPostgres>();
        try
        {
            await using (var scope = app.Services.CreateAsyncScope())
            {
                await SchemaMigration.MigrateAsync(scope.ServiceProvider.GetRequiredService<CallPushDbContext>(),
                    scope.ServiceProvider.GetRequiredService<NpgsqlDataSource>(), CancellationToken.None);
            }
            var store = new ApiKeyStore(app.Services.GetRequiredService<NpgsqlDataSource>());
            return request switch
            {
                Create create => await CreateAsync(store, create.KeyName, create.Sources),
                Revoke revoke => await RevokeAsync(store, revoke.Prefix),
                _ => await ListAsync(store),
            };
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"CallPush api-keys failed: {OneLine(e)}");
            return FailureExitCode;
        }
        finally
        {
            if (localServer is { Adopted: false })
            {
                await localServer.StopAsync();
            }
        }
    }

    private static (Request? Request, string? Problem) Parse(string[] args)
    {
        switch (args)
        {
            case ["create", .. var options]:
                return ParseCreate(options);
            case ["list"]:
                return (new List(), null);
            case ["revoke", var prefix] when ApiKeyFormat.IsPrefix(prefix):
                return (new Revoke(prefix), null);
            case ["revoke", ..]:
                return (null, $"api-keys revoke needs the key's prefix: {ApiKeyFormat.PrefixLength} lower-case hex characters, as 'api-keys list' shows it");
            default:
                return (null, args.Length == 0 ? "api-keys needs a command" : $"unknown api-keys command '{string.Join(' ', args)}'");
        }
    }

    private static (Request? Request, string? Problem) ParseCreate(string[] options)
    {
        string? name = null;
        var sources = new List<string>();
        for (var i = 0; i < options.Length; i++)
        {
            var (option, value) = options[i].Split('=', 2) is [var o, var v] && o.StartsWith("--", StringComparison.Ordinal)
                ? (o, v)
                : (options[i], i + 1 < options.Length ? options[++i] : null);
            switch (option)
            {
                case "--name" when name is null && value is not null && IsName(value):
                    name = value.Trim();
                    break;
                case "--source" when !string.IsNullOrWhiteSpace(value):
                    sources.Add(value.Trim());
                    break;
                case "--source":
                    return (null, "api-keys create: --source needs a source's name");
                default:
                    return (null, "api-keys create needs --name <name> (a non-empty name, at most 200 characters) and takes --source <source>");
            }
        }
        return name is null
            ? (null, "api-keys create needs --name <name> (a non-empty name, at most 200 characters)")
            : (new Create(name, sources.Distinct(StringComparer.OrdinalIgnoreCase).ToArray()), null);
    }

    /// <summary>The sources as configured (<c>CallPush__Sources__&lt;name&gt;</c>), or which one is not.</summary>
    private static (string[]? Names, string? Unknown) ConfiguredNames(SourcesOptions options, string[] requested)
    {
        var configured = options.Sources;
        var names = new List<string>();
        foreach (var source in requested)
        {
            var match = configured.Keys.FirstOrDefault(k => k.Equals(source, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                var known = configured.Count == 0 ? "none is configured" : "the configured sources are " + string.Join(", ", configured.Keys.Order());
                return (null, $"no source is named '{source}' (CallPush__Sources__<name>__SdkAppIds): {known}");
            }
            names.Add(match);
        }
        return (names.ToArray(), null);
    }

    private static bool IsName(string name) => name.Trim() is { Length: > 0 and <= 200 } trimmed && !trimmed.Any(char.IsControl);

    private static async Task<int> CreateAsync(ApiKeyStore store, string name, string[] sources)
    {
        try
        {
            var created = await store.CreateAsync(name, sources, CancellationToken.None);
            var limit = sources.Length == 0 ? "every source" : "source " + string.Join(", ", sources);
            await Console.Error.WriteLineAsync(
                $"Created API key {created.Prefix} for '{name}', reading {limit}. It is shown once, below; keep it secret (only its hash is stored).");
            await Console.Out.WriteLineAsync(created.Key);
            return 0;
        }
        catch (TooManyActiveKeysException e)
        {
            await Console.Error.WriteLineAsync($"CallPush api-keys failed: {e.Message}");
            return FailureExitCode;
        }
    }

    private static async Task<int> ListAsync(ApiKeyStore store)
    {
        var keys = await store.ListAsync(CancellationToken.None);
        string[] header = ["NAME", "PREFIX", "SOURCES", "CREATED", "LAST USED", "REVOKED"];
        var rows = keys.Select(k => new[]
        {
            k.Name, k.Prefix, k.Sources.Length == 0 ? "(all)" : string.Join(",", k.Sources), Time(k.CreatedAt), Time(k.LastUsedAt), Time(k.RevokedAt),
        }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            await Console.Out.WriteLineAsync(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }
        return 0;
    }

    private static async Task<int> RevokeAsync(ApiKeyStore store, string prefix)
    {
        switch (await store.RevokeAsync(prefix, CancellationToken.None))
        {
            case RevokeResult.Revoked:
                await Console.Error.WriteLineAsync($"Revoked API key {prefix}.");
                return 0;
            case RevokeResult.AlreadyRevoked:
                await Console.Error.WriteLineAsync($"API key {prefix} was already revoked.");
                return 0;
            default:
                await Console.Error.WriteLineAsync($"CallPush api-keys failed: no API key has the prefix {prefix}");
                return FailureExitCode;
        }
    }

    private static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string OneLine(Exception e) =>
        string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
