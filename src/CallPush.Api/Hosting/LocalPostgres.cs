using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CallPush.Api.Hosting;

public sealed record LocalPostgresSettings(string RootDirectory, string Database)
{
    /// <summary>A folder holding initdb and pg_ctl; found on PATH or under /usr/lib/postgresql when not given.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>False trades crash safety for speed (fsync off): for throwaway test clusters only.</summary>
    public bool Durable { get; init; } = true;
}

/// <summary>Thrown when no PostgreSQL server binaries can be found to start a private cluster.</summary>
public sealed class LocalPostgresUnavailableException(string message) : Exception(message);

/// <summary>
/// A private PostgreSQL cluster started from the machine's server binaries: loopback only, on a free port, data
/// kept between runs. Used by <c>dotnet run</c> without a connection string, and by the tests.
/// </summary>
public sealed class LocalPostgres
{
    private const string SuperUser = "postgres";

    private readonly string _pgCtl;
    private readonly bool _asPostgresUser;

    private LocalPostgres(string binDirectory, string dataDirectory, string logFile, int port, string database, bool asPostgresUser)
    {
        _pgCtl = Path.Combine(binDirectory, "pg_ctl");
        _asPostgresUser = asPostgresUser;
        DataDirectory = dataDirectory;
        LogFile = logFile;
        Port = port;
        Database = database;
    }

    public string DataDirectory { get; }
    public string LogFile { get; }

    /// <summary>True when the cluster was already running (another process started it): whoever adopted it leaves it running.</summary>
    public bool Adopted { get; private init; }

    public int Port { get; }
    public string Database { get; }
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Database = Database,
    }.ConnectionString;
    public string PsqlCommand => $"psql -h 127.0.0.1 -p {Port} -U {SuperUser} {Database}";

    public static string? FindBinDirectory(string? configured = null)
    {
        static bool HasServer(string directory) =>
            File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl"));

        if (!string.IsNullOrWhiteSpace(configured))
        {
            return HasServer(configured) ? configured : null;
        }
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(HasServer);
        if (onPath is not null)
        {
            return onPath;
        }
        const string debianRoot = "/usr/lib/postgresql";
        return Directory.Exists(debianRoot)
            ? Directory.GetDirectories(debianRoot)
                .Select(d => (Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0, Bin: Path.Combine(d, "bin")))
                .Where(d => HasServer(d.Bin))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Bin)
                .FirstOrDefault()
            : null;
    }

    public static async Task<LocalPostgres> StartAsync(LocalPostgresSettings settings, CancellationToken cancellationToken = default)
    {
        var bin = FindBinDirectory(settings.BinDirectory) ?? throw new LocalPostgresUnavailableException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found: install them with 'apt-get install -y postgresql', " +
            "or set ConnectionStrings__CallPush to an existing PostgreSQL server.");
        var asPostgresUser = Environment.UserName == "root";
        var root = Path.GetFullPath(settings.RootDirectory);
        Directory.CreateDirectory(root);
        if (asPostgresUser)
        {
            // initdb refuses to run as root: the cluster belongs to the postgres system user, which must be able to
            // reach the folder. Under a private home (/root is 0700) it cannot, so the cluster lives in /var/tmp instead.
            await RunAsync("chown", ["-R", $"{SuperUser}:", root], cancellationToken);
            var (reachable, _) = await RunAsync("runuser", ["-u", SuperUser, "--", "test", "-w", root], cancellationToken, throwOnFailure: false);
            if (reachable != 0)
            {
                root = Path.Combine("/var/tmp", "callpush-" + Convert.ToHexStringLower(
                    System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(root)))[..12]);
                Directory.CreateDirectory(root);
                await RunAsync("chown", ["-R", $"{SuperUser}:", root], cancellationToken);
            }
        }

        var data = Path.Combine(root, "data");
        var server = new LocalPostgres(bin, data, Path.Combine(root, "postgres.log"), 0, settings.Database, asPostgresUser);
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            await server.RunToolAsync(Path.Combine(bin, "initdb"),
                ["-D", data, "-U", SuperUser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-instructions"], cancellationToken);
        }

        var port = await server.RunningPortAsync(cancellationToken);
        var adopted = port is not null;
        if (port is null)
        {
            port = PreferredPort(Path.Combine(root, "port"));
            var options = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''";
            if (!settings.Durable)
            {
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
            }
            await server.RunToolAsync(server._pgCtl, ["-D", data, "-l", server.LogFile, "-w", "-t", "60", "-o", options, "start"], cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(root, "port"), port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        }

        var started = new LocalPostgres(bin, data, server.LogFile, port.Value, settings.Database, asPostgresUser) { Adopted = adopted };
        await started.CreateDatabaseAsync(settings.Database, cancellationToken: cancellationToken);
        return started;
    }

    public async Task StopAsync()
    {
        if (await RunningPortAsync(CancellationToken.None) is not null)
        {
            await RunToolAsync(_pgCtl, ["-D", DataDirectory, "-m", "fast", "-w", "stop"], CancellationToken.None);
        }
    }

    /// <summary>Creates the database unless it exists; a concurrent creator is not an error.</summary>
    public async Task CreateDatabaseAsync(string database, string? template = null, CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.Add(new NpgsqlParameter { Value = database });
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }
        var sql = $"CREATE DATABASE {Quote(database)}" + (template is null ? string.Empty : $" TEMPLATE {Quote(template)}");
        await using var create = new NpgsqlCommand(sql, connection);
        try
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
        }
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The port of a server already running on this data directory (left by an earlier run), if any.</summary>
    private async Task<int?> RunningPortAsync(CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }
        var (exitCode, _) = await RunAsync(_asPostgresUser ? "runuser" : _pgCtl,
            _asPostgresUser ? ["-u", SuperUser, "--", _pgCtl, "-D", DataDirectory, "status"] : ["-D", DataDirectory, "status"],
            cancellationToken, throwOnFailure: false);
        if (exitCode != 0)
        {
            return null;
        }
        // postmaster.pid: line 4 is the port.
        var lines = await File.ReadAllLinesAsync(pidFile, cancellationToken);
        return lines.Length > 3 && int.TryParse(lines[3], out var port) ? port : null;
    }

    private static int PreferredPort(string portFile)
    {
        if (File.Exists(portFile) && int.TryParse(File.ReadAllText(portFile), out var previous) && IsFree(previous))
        {
            return previous;
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private Task<(int ExitCode, string Output)> RunToolAsync(string tool, string[] arguments, CancellationToken cancellationToken) =>
        _asPostgresUser
            ? RunAsync("runuser", ["-u", SuperUser, "--", tool, .. arguments], cancellationToken)
            : RunAsync(tool, arguments, cancellationToken);

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string[] arguments, CancellationToken cancellationToken, bool throwOnFailure = true)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {fileName}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var text = (await output + await error).Trim();
        if (throwOnFailure && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {text}");
        }
        return (process.ExitCode, text);
    }
}
