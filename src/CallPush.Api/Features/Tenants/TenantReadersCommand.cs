using CallPush.Api.Features.Reconciliation;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using Npgsql;

namespace CallPush.Api.Features.Tenants;

/// <summary>
/// <c>tenant-readers grant --source &lt;name&gt; --role &lt;role&gt;</c> | <c>tenant-readers revoke --role &lt;role&gt; [--source &lt;name&gt;]</c>
/// | <c>tenant-readers list</c>: PostgreSQL roles that read the analyst tables of some sources only (row-level security),
/// on the database the service would use, migrated first.
/// </summary>
internal static class TenantReadersCommand
{
    public const string Name = "tenant-readers";
    public const int UsageExitCode = 2;
    public const int FailureExitCode = 1;

    private const string Usage = """
        Usage:
          tenant-readers grant --source <name> --role <role>   the role reads the rows of the source's SdkAppIds
                                                               (created NOLOGIN when it does not exist)
          tenant-readers revoke --role <role> [--source <name>]
          tenant-readers list                                  role, source, SdkAppIds
        """;

    private abstract record Request;
    private sealed record Grant(string Role, string Source) : Request;
    private sealed record Revoke(string Role, string? Source) : Request;
    private sealed record List : Request;

    public static bool IsRequested(string[] args) => args is [Name, ..];

    public static async Task<int> RunAsync(WebApplicationBuilder builder, string[] args)
    {
        var (request, problem) = Parse(args[1..]);
        if (request is null)
        {
            await Console.Error.WriteLineAsync($"{problem}\n{Usage}");
            return UsageExitCode;
        }
        var configured = (builder.Configuration.GetSection(SourcesOptions.Section).Get<SourcesOptions>() ?? new SourcesOptions()).Sources;
        string? source = null;
        if (request is Grant { Source: var wanted })
        {
            source = configured.Keys.FirstOrDefault(k => k.Equals(wanted, StringComparison.OrdinalIgnoreCase));
            if (source is null || configured[source].SdkAppIds.Count == 0)
            {
                var known = configured.Count == 0 ? "none is configured" : "the configured sources are " + string.Join(", ", configured.Keys.Order());
                await Console.Error.WriteLineAsync($"CallPush tenant-readers failed: no source is named '{wanted}' with SdkAppIds: {known}");
                return UsageExitCode;
            }
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
            var database = app.Services.GetRequiredService<NpgsqlDataSource>();
            switch (request)
            {
                case Grant grant:
                    var ids = configured[source!].SdkAppIds.Distinct().Order().ToArray();
                    await TenantReaderRoles.GrantAsync(database, grant.Role, source!, ids, CancellationToken.None);
                    await Console.Error.WriteLineAsync(
                        $"Role {grant.Role} reads the rows of source {source} (SdkAppIds {string.Join(", ", ids)}). Give it LOGIN and a password, "
                        + $"or grant it to logins: ALTER ROLE {grant.Role} LOGIN PASSWORD '...'; GRANT {grant.Role} TO <login>;");
                    return 0;
                case Revoke revoke:
                    if (!await TenantReaderRoles.RevokeAsync(database, revoke.Role, revoke.Source, CancellationToken.None))
                    {
                        await Console.Error.WriteLineAsync($"CallPush tenant-readers failed: role {revoke.Role} reads no such source");
                        return FailureExitCode;
                    }
                    await Console.Error.WriteLineAsync($"Revoked {(revoke.Source is null ? "every source" : "source " + revoke.Source)} from role {revoke.Role}.");
                    return 0;
                default:
                    await ListAsync(database);
                    return 0;
            }
        }
        catch (TenantReaderException e)
        {
            await Console.Error.WriteLineAsync($"CallPush tenant-readers failed: {e.Message}");
            return FailureExitCode;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"CallPush tenant-readers failed: {OneLine(e)}");
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
        if (args is ["list"])
        {
            return (new List(), null);
        }
        if (args is not [("grant" or "revoke") and var verb, .. var options])
        {
            return (null, args.Length == 0 ? "tenant-readers needs a command" : $"unknown tenant-readers command '{string.Join(' ', args)}'");
        }
        string? role = null;
        string? source = null;
        for (var i = 0; i < options.Length; i++)
        {
            var (option, value) = options[i].Split('=', 2) is [var o, var v] && o.StartsWith("--", StringComparison.Ordinal)
                ? (o, v)
                : (options[i], i + 1 < options.Length ? options[++i] : null);
            switch (option)
            {
                case "--role" when role is null && value is not null:
                    role = value.Trim();
                    break;
                case "--source" when source is null && !string.IsNullOrWhiteSpace(value):
                    source = value.Trim();
                    break;
                default:
                    return (null, $"tenant-readers {verb}: unexpected '{options[i]}'");
            }
        }
        if (role is null || !TenantReaderRoles.RoleName().IsMatch(role))
        {
            return (null, $"tenant-readers {verb} needs --role <role>: a lower-case SQL identifier (a-z, 0-9, _)");
        }
        if (verb == "grant")
        {
            return source is null ? (null, "tenant-readers grant needs --source <name>") : (new Grant(role, source), null);
        }
        return (new Revoke(role, source), null);
    }

    private static async Task ListAsync(NpgsqlDataSource database)
    {
        var listings = await TenantReaderRoles.ListAsync(database, CancellationToken.None);
        string[] header = ["ROLE", "SOURCE", "SDKAPPIDS"];
        var rows = listings.Select(l => new[] { l.Role, l.Source, string.Join(",", l.SdkAppIds) }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            await Console.Out.WriteLineAsync(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    private static string OneLine(Exception e) =>
        string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
