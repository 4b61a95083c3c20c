using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CallPush.Tests.Infrastructure;
using Npgsql;

namespace CallPush.Tests;

public sealed class LifecycleTests(PostgresFixture postgres)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Not_ready_until_the_schema_is_migrated()
    {
        await using var app = new CallPushApp(await postgres.CreateEmptyDatabaseAsync(), new Dictionary<string, string?>
        {
            ["CallPush:Database:MigrateOnStartup"] = "false",
        });
        using var client = app.CreateClient();

        using var ready = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        using var live = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        var push = await client.PushAndReadAsync("cdr", Samples.Cdr, "uuid-not-migrated");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(new PushReply(503, 5030, "database is not ready yet; push again later"), push);
    }

    [Fact]
    public async Task Not_ready_while_the_database_refuses_connections_and_ready_again_after()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        using var client = app.CreateClient();
        var database = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;

        await AdminAsync($"ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS false");
        await AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'");
        try
        {
            using var ready = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
            using var live = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);
            var push = await client.PushAndReadAsync("cdr", Samples.Cdr, "uuid-database-down");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal(5030, push.ErrCode);
        }
        finally
        {
            await AdminAsync($"ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS true");
        }

        await app.WaitUntilReadyAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, (await client.PushAndReadAsync("cdr", Samples.Cdr, "uuid-database-down")).ErrCode);
    }

    [Fact]
    public async Task On_SIGTERM_a_push_in_flight_is_committed_and_answered_before_the_process_exits()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__CallPush"] = connectionString,
            ["CallPush__ShutdownTimeout"] = "00:00:20",
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__LogLevel__CallPush.Api.Features.Push.PushIngestion"] = "Debug",
        });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await service.WaitUntilReadyAsync(client, StartTimeout);

        // Hold the push's INSERT: the lock conflicts with it, not with reads, so the service stays ready meanwhile.
        await using var pushLogLock = await PushLogLock.TakeAsync(connectionString);
        var sessionId = Samples.NewSessionId();
        var push = client.PushAndReadAsync("cdr", Samples.CdrWith(cdr => cdr["SessionId"] = sessionId), "uuid-in-flight");
        await pushLogLock.WaitForHeldPushAsync();

        var terminated = Stopwatch.StartNew();
        service.Terminate();
        await WaitUntilAsync(() => Task.FromResult(!Accepts(port)));
        await Task.Delay(500, TestContext.Current.CancellationToken);
        var exitedWhileInFlight = service.HasExited;
        await pushLogLock.ReleaseAsync();
        var reply = await push;
        var exited = await service.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.False(exitedWhileInFlight, "the service must wait for the push in flight");
        Assert.Equal(new PushReply(200, 0, "ok"), reply);
        Assert.True(exited, "the service did not exit within its shutdown timeout");
        Assert.Equal(0, service.ExitCode);
        Assert.InRange(terminated.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        Assert.Equal(1, await CountAsync(connectionString, "SELECT count(*) FROM push_log WHERE dedup_key = 'uuid-in-flight'"));
        Assert.Equal(1, await CountAsync(connectionString, $"SELECT count(*) FROM call_sessions WHERE session_id = '{sessionId}'"));

        // Logs were JSON lines (Logging__Console__FormatterName=json), with the push's fields as structured state.
        var stored = service.Output.Where(line => line.StartsWith('{')).Select(line => JsonDocument.Parse(line).RootElement)
            .Single(log => log.GetProperty("Category").GetString() == "CallPush.Api.Features.Push.PushIngestion"
                && log.GetProperty("State").TryGetProperty("SessionId", out var id) && id.GetString() == sessionId);
        Assert.Equal("Debug", stored.GetProperty("LogLevel").GetString());
        Assert.EndsWith("Z", stored.GetProperty("Timestamp").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_push_that_cannot_be_stored_before_the_shutdown_timeout_is_refused_uncommitted_and_the_process_exits_in_time()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__CallPush"] = connectionString,
            ["CallPush__ShutdownTimeout"] = "00:00:04",
            ["CallPush__Push__StorageTimeout"] = "00:00:02",
        });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await service.WaitUntilReadyAsync(client, StartTimeout);
        await using var pushLogLock = await PushLogLock.TakeAsync(connectionString);
        var push = client.PushAndReadAsync("cdr", Samples.Cdr, "uuid-held-too-long");
        await pushLogLock.WaitForHeldPushAsync();

        var terminated = Stopwatch.StartNew();
        service.Terminate();
        var reply = await push;
        var exited = await service.WaitForExitAsync(TimeSpan.FromSeconds(15));
        var exitTime = terminated.Elapsed;
        // Released only now: a statement still waiting here would commit the push after its answer.
        await pushLogLock.ReleaseAsync();

        Assert.Equal(new PushReply(503, 5030, "storage is unavailable; push again later"), reply);
        Assert.True(exited, "the service did not exit within its shutdown timeout");
        Assert.Equal(0, service.ExitCode);
        Assert.InRange(exitTime, TimeSpan.Zero, TimeSpan.FromSeconds(4 + 3));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(0, await CountAsync(connectionString, "SELECT count(*) FROM push_log"));
    }

    [Fact]
    public async Task Serves_pushes_over_HTTPS_from_a_configured_certificate()
    {
        var folder = Directory.CreateTempSubdirectory("callpush-tls-");
        try
        {
            using var certificate = CreateSelfSignedCertificate(out var certificatePem, out var encryptedKeyPem, "key-password");
            var certificatePath = Path.Combine(folder.FullName, "tls.crt");
            var keyPath = Path.Combine(folder.FullName, "tls.key");
            await File.WriteAllTextAsync(certificatePath, certificatePem, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(keyPath, encryptedKeyPem, TestContext.Current.CancellationToken);
            var connectionString = await postgres.CreateDatabaseAsync();
            var port = ServiceProcess.FreePort();
            await using var service = ServiceProcess.Start(new Dictionary<string, string>
            {
                ["Kestrel__Endpoints__Https__Url"] = $"https://127.0.0.1:{port}",
                ["Kestrel__Endpoints__Https__Certificate__Path"] = certificatePath,
                ["Kestrel__Endpoints__Https__Certificate__KeyPath"] = keyPath,
                ["Kestrel__Endpoints__Https__Certificate__Password"] = "key-password",
                ["ConnectionStrings__CallPush"] = connectionString,
            });
            X509Certificate2? presented = null;
            using var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, remote, _, errors) =>
            {
                presented = remote is null ? null : X509CertificateLoader.LoadCertificate(remote.GetRawCertData());
                return presented is not null && TrustedBy(presented, certificate)
                    && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
            };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };
            await service.WaitUntilReadyAsync(client, StartTimeout);

            var reply = await client.PushAndReadAsync("record", Samples.Record, "uuid-over-tls");

            Assert.Equal(new PushReply(200, 0, "ok"), reply);
            Assert.Equal(certificate.Thumbprint, presented?.Thumbprint);
            Assert.Equal(1, await CountAsync(connectionString, "SELECT count(*) FROM recordings"));
            presented?.Dispose();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_OTLP_endpoint_that_is_not_a_URL_stops_the_start_with_a_line_naming_the_variable()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}",
            ["ConnectionStrings__CallPush"] = await postgres.CreateDatabaseAsync(),
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "otel-collector:4317",
        });

        Assert.True(await service.WaitForExitAsync(StartTimeout));
        Assert.Equal(78, service.ExitCode);
        Assert.Contains(service.Output, line => line.StartsWith("CallPush cannot start: OTEL_EXPORTER_OTLP_ENDPOINT", StringComparison.Ordinal));
    }

    private static X509Certificate2 CreateSelfSignedCertificate(out string certificatePem, out string encryptedKeyPem, string password)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=callpush.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        certificatePem = certificate.ExportCertificatePem();
        encryptedKeyPem = key.ExportEncryptedPkcs8PrivateKeyPem(password,
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000));
        return certificate;
    }

    /// <summary>A chain that ends at the test's own certificate, as a client that trusts only it would build.</summary>
    private static bool TrustedBy(X509Certificate2 presented, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the condition did not become true in time");
            }
            await Task.Delay(50);
        }
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Holds pushes at their INSERT into push_log: the lock conflicts with writes, not with reads, so the service stays
    /// ready meanwhile.
    /// </summary>
    private sealed class PushLogLock : IAsyncDisposable
    {
        private readonly string _connectionString;
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _transaction;

        private PushLogLock(string connectionString, NpgsqlConnection connection, NpgsqlTransaction transaction)
        {
            _connectionString = connectionString;
            _connection = connection;
            _transaction = transaction;
        }

        public static async Task<PushLogLock> TakeAsync(string connectionString)
        {
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
            await using var lockTable = new NpgsqlCommand("LOCK TABLE push_log IN EXCLUSIVE MODE", connection, transaction);
            await lockTable.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            return new PushLogLock(connectionString, connection, transaction);
        }

        /// <summary>Until a push's INSERT waits on this lock.</summary>
        public Task WaitForHeldPushAsync() => WaitUntilAsync(async () => await CountAsync(_connectionString,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO push_log%'") > 0);

        public Task ReleaseAsync() => _transaction.RollbackAsync(TestContext.Current.CancellationToken);

        public async ValueTask DisposeAsync()
        {
            await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
