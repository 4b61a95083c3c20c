using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallPush.Api.Features.StatisticsChannel;

/// <summary>
/// The channel's own connections, logged in as its reader role. Nothing is handed out before the role has been checked
/// (<see cref="StatisticsLoginRole.ProblemsAsync"/>); the check is repeated every few minutes, so a grant added later
/// closes the channel too.
/// </summary>
internal sealed partial class StatisticsDatabase(
    IOptions<StatisticsChannelOptions> options,
    IConfiguration configuration,
    IServiceProvider services,
    ILogger<StatisticsDatabase> logger) : IAsyncDisposable
{
    public const string NotConfigured = "statistics channel not configured";

    private static readonly TimeSpan CheckedFor = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlDataSource? _dataSource;
    private DateTime _checkedAt;

    /// <summary>True when a connection string is configured or the role is managed; false means /stats answers 503.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.ConnectionString) || Managed;

    /// <summary>The service creates the login role: when told to, or by default in the local run unless given a connection string.</summary>
    public bool Managed => string.IsNullOrWhiteSpace(options.Value.ConnectionString)
        && (options.Value.ManageLoginRole ?? services.GetService<LocalPostgres>() is not null);

    /// <summary>A data source whose role passed the check, or the reason there is none (the channel stays closed).</summary>
    public async Task<(NpgsqlDataSource? DataSource, string? Refusal)> GetAsync(CancellationToken cancellationToken)
    {
        if (!IsConfigured)
        {
            return (null, NotConfigured);
        }
        var current = Volatile.Read(ref _dataSource);
        if (current is not null && DateTime.UtcNow - _checkedAt < CheckedFor)
        {
            return (current, null);
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_dataSource is not null && DateTime.UtcNow - _checkedAt < CheckedFor)
            {
                return (_dataSource, null);
            }
            var dataSource = _dataSource ?? await CreateAsync(cancellationToken);
            IReadOnlyList<string> problems;
            await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            {
                problems = await StatisticsLoginRole.ProblemsAsync(connection, cancellationToken);
            }
            if (problems.Count > 0)
            {
                LogUnsafeRole(logger, string.Join("; ", problems));
                Volatile.Write(ref _dataSource, null);
                await dataSource.DisposeAsync();
                return (null, "statistics channel closed: its database role has more rights than reading the analyst tables; see the service log");
            }
            _checkedAt = DateTime.UtcNow;
            Volatile.Write(ref _dataSource, dataSource);
            return (dataSource, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<NpgsqlDataSource> CreateAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        NpgsqlConnectionStringBuilder connectionString;
        if (!string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            connectionString = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        }
        else
        {
            var serviceDatabase = services.GetRequiredService<NpgsqlDataSource>();
            var password = await StatisticsLoginRole.EnsureAsync(serviceDatabase, settings.LoginRole, settings.MaxConnections + 2,
                settings.StatementTimeout, cancellationToken);
            var own = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName) is { Length: > 0 } configured
                ? configured
                : services.GetRequiredService<LocalPostgres>().ConnectionString;
            connectionString = new NpgsqlConnectionStringBuilder(own) { Username = settings.LoginRole, Password = password, Passfile = null };
            LogManagedRole(logger, settings.LoginRole);
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
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The statistics channel stays closed: its login role must only read the analyst tables, but {Problems}")]
    private static partial void LogUnsafeRole(ILogger logger, string problems);

    [LoggerMessage(Level = LogLevel.Information, Message = "The statistics channel logs in as {Role}, a member of callpush_reader (managed by the service)")]
    private static partial void LogManagedRole(ILogger logger, string role);
}
