using System.Security.Cryptography;
using System.Text;
using CallPush.Api.Features.ApiKeys;
using CallPush.Api.Features.Reconciliation;
using CallPush.Api.Features.Tenants;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using CallPush.Api.Persistence.Migrations;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallPush.Api.Features.StatisticsChannel;

/// <summary>
/// The channel's own connections, logged in as its reader role; for a key limited to some sources, as a login of their own
/// that row-level security restricts to those sources' SdkAppIds, so the statement's session itself is the restricted
/// role and no SET ROLE or set_config inside it can widen what it sees. Nothing is handed out before the role has been
/// checked (<see cref="StatisticsLoginRole.ProblemsAsync"/>); the check is repeated every few minutes, so a grant added
/// later closes the channel too.
/// </summary>
internal sealed partial class StatisticsDatabase(
    IOptions<StatisticsChannelOptions> options,
    IOptions<SourcesOptions> sources,
    IConfiguration configuration,
    IServiceProvider services,
    ILogger<StatisticsDatabase> logger) : IAsyncDisposable
{
    public const string NotConfigured = "statistics channel not configured";

    private static readonly TimeSpan CheckedFor = TimeSpan.FromMinutes(5);

    private sealed class Login
    {
        public NpgsqlDataSource? DataSource;
        public DateTime CheckedAt;
    }

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Login> _logins = new(StringComparer.Ordinal);

    /// <summary>True when a connection string is configured or the role is managed; false means /stats answers 503.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.ConnectionString) || Managed;

    /// <summary>The service creates the login role: when told to, or by default in the local run unless given a connection string.</summary>
    public bool Managed => string.IsNullOrWhiteSpace(options.Value.ConnectionString)
        && (options.Value.ManageLoginRole ?? services.GetService<LocalPostgres>() is not null);

    /// <summary>A data source for the key's scope whose role passed the check, or the reason there is none (the channel stays closed).</summary>
    public async Task<(NpgsqlDataSource? DataSource, string? Refusal)> GetAsync(AnalystScope scope, CancellationToken cancellationToken)
    {
        if (!IsConfigured)
        {
            return (null, NotConfigured);
        }
        var tenant = scope.Limited ? TenantLogin(options.Value.LoginRole, scope.Sources) : null;
        if (tenant is not null && !Managed)
        {
            return (null, "statistics channel closed for keys limited to sources: it has a restricted login per source only when it manages "
                + "its login roles (CallPush__StatisticsChannel__ManageLoginRole); see docs/statistics-channel.md");
        }
        var key = tenant ?? string.Empty;
        Login login;
        lock (_logins)
        {
            if (!_logins.TryGetValue(key, out login!))
            {
                login = _logins[key] = new Login();
            }
        }
        var current = Volatile.Read(ref login.DataSource);
        if (current is not null && DateTime.UtcNow - login.CheckedAt < CheckedFor)
        {
            return (current, null);
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (login.DataSource is not null && DateTime.UtcNow - login.CheckedAt < CheckedFor)
            {
                return (login.DataSource, null);
            }
            var sdkAppIds = tenant is null ? null : scope.SdkAppIds.Order().ToArray();
            var dataSource = login.DataSource ?? await CreateAsync(tenant, scope, cancellationToken);
            IReadOnlyList<string> problems;
            await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            {
                problems = await StatisticsLoginRole.ProblemsAsync(connection, sdkAppIds, cancellationToken);
            }
            if (problems.Count > 0)
            {
                LogUnsafeRole(logger, string.Join("; ", problems));
                Volatile.Write(ref login.DataSource, null);
                await dataSource.DisposeAsync();
                return (null, "statistics channel closed: its database role has more rights than reading the analyst tables; see the service log");
            }
            login.CheckedAt = DateTime.UtcNow;
            Volatile.Write(ref login.DataSource, dataSource);
            return (dataSource, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The managed login of a set of sources: <c>callpush_stats_&lt;source&gt;</c> for one source with a plain name, else a
    /// name derived from the set, so every key limited to the same sources shares one login.
    /// </summary>
    internal static string TenantLogin(string loginRole, IReadOnlyList<string> sourceNames)
    {
        var names = sourceNames.Select(s => s.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToList();
        if (names is [var only] && $"{loginRole}_{only}" is var plain && TenantReaderRoles.RoleName().IsMatch(plain))
        {
            return plain;
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', names))))[..12];
        var prefix = loginRole.Length > 45 ? loginRole[..45] : loginRole;
        return $"{prefix}_t{hash}";
    }

    private async Task<NpgsqlDataSource> CreateAsync(string? tenant, AnalystScope scope, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        NpgsqlConnectionStringBuilder connectionString;
        if (tenant is null && !string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            connectionString = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        }
        else
        {
            var serviceDatabase = services.GetRequiredService<NpgsqlDataSource>();
            var role = tenant ?? settings.LoginRole;
            var password = await StatisticsLoginRole.EnsureAsync(serviceDatabase, role, tenant is null ? ReaderRole.Name : TenantReaderSql.GroupRole,
                settings.MaxConnections + 2, settings.StatementTimeout, cancellationToken);
            if (tenant is not null)
            {
                var grants = scope.Sources
                    .SelectMany(name => sources.Value.Sources.TryGetValue(name, out var source)
                        ? source.SdkAppIds.Select(id => (Source: sources.Value.Sources.Keys.First(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)), id))
                        : [])
                    .ToList();
                await TenantReaderRoles.ReplaceAsync(serviceDatabase, tenant, grants, cancellationToken);
            }
            var own = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName) is { Length: > 0 } configured
                ? configured
                : services.GetRequiredService<LocalPostgres>().ConnectionString;
            connectionString = new NpgsqlConnectionStringBuilder(own) { Username = role, Password = password, Passfile = null };
            LogManagedRole(logger, role, tenant is null ? ReaderRole.Name : TenantReaderSql.GroupRole);
        }
        if (string.IsNullOrEmpty(connectionString.ApplicationName))
        {
            connectionString.ApplicationName = "callpush-stats";
        }
        connectionString.MaxPoolSize = settings.MaxConnections;
        // Whatever a statement leaves in the session (advisory locks, settings) is discarded before the connection is reused.
        connectionString.NoResetOnClose = false;
        connectionString.MaxAutoPrepare = 0;
        return new NpgsqlDataSourceBuilder(connectionString.ConnectionString)
            .UseLoggerFactory(services.GetRequiredService<ILoggerFactory>())
            .Build();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var login in _logins.Values)
        {
            if (login.DataSource is not null)
            {
                await login.DataSource.DisposeAsync();
            }
        }
        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The statistics channel stays closed: its login role must only read the analyst tables, but {Problems}")]
    private static partial void LogUnsafeRole(ILogger logger, string problems);

    [LoggerMessage(Level = LogLevel.Information, Message = "The statistics channel logs in as {Role}, a member of {ReaderRole} (managed by the service)")]
    private static partial void LogManagedRole(ILogger logger, string role, string readerRole);
}
