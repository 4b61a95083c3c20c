using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using CallPush.Api.Features.ApiKeys;
using CallPush.Tests.Infrastructure;
using Npgsql;

namespace CallPush.Tests.StatisticsChannel;

/// <summary>Statements an attacker holding an analyst key would try, against the built service on real Kestrel.</summary>
public sealed class StatisticsHostileInputTests(PostgresFixture postgres)
{
    // Roles are shared by the whole cluster and other tests create plain ones meanwhile: the privileged ones are compared.
    private const string Snapshot = """
        SELECT (SELECT count(*) FROM push_log), (SELECT md5(coalesce(string_agg(id::text || status || coalesce(error, ''), ',' ORDER BY id), '')) FROM push_log),
               (SELECT count(*) FROM api_keys), (SELECT count(*) FROM oauth_access_tokens), (SELECT count(*) FROM call_sessions),
               (SELECT count(*) FROM pg_tables WHERE schemaname = 'public'),
               (SELECT string_agg(rolname || rolsuper::text || rolcreaterole::text || rolcreatedb::text || rolbypassrls::text, ',' ORDER BY rolname)
                FROM pg_roles WHERE rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls)
        """;

    /// <summary>Each statement with the status it is refused with: 400 refused as written, 403 not granted, 504 timed out, 503 the session ended.</summary>
    private static readonly (string Psql, int Status)[] Refused =
    [
        ("delete from push_log", 400),
        ("update push_log set status = 'rejected'", 400),
        ("insert into push_log (action) values ('cdr')", 400),
        ("truncate push_log", 400),
        ("drop table push_log", 400),
        ("create table stolen as select * from push_log", 400),
        ("copy push_log to program 'touch /tmp/callpush-pwned'", 400),
        ("copy (select 1) to '/tmp/callpush-pwned'", 400),
        ("select 1; delete from push_log", 400),
        ("select 1) s; delete from push_log; select (select 1", 400),
        ("select 1) as x) as y; delete from push_log; select * from (select (select 1", 400),
        ("with d as (delete from push_log returning 1) select * from d", 400),
        ("with u as (update push_log set status = 'rejected' returning 1) select count(*) from u", 400),
        ("select * into stolen from push_log", 400),
        ("select * from push_log for update", 400),
        ("select set_config('transaction_read_only', 'off', false), (select count(*) from push_log)", 400),
        ("select set_config('role', 'postgres', false), (select count(*) from api_keys)", 403),
        ("select set_config('session_authorization', 'postgres', false)", 403),
        ("select pg_read_file('/etc/passwd')", 403),
        ("select pg_read_binary_file('/etc/passwd')", 403),
        ("select pg_ls_dir('.')", 403),
        ("select lo_import('/etc/passwd')", 403),
        ("select nextval('push_log_id_seq')", 403),
        ("select * from api_keys", 403),
        ("select key_hash from api_keys", 403),
        ("select * from oauth_access_tokens", 403),
        ("select pg_sleep(5)", 504),
        ("select set_config('statement_timeout', '0', false), pg_sleep(3)", 504),
        ("select pg_terminate_backend(pg_backend_pid())", 503),
    ];

    [Fact]
    public async Task Hostile_statements_are_refused_change_nothing_and_leave_the_service_answering()
    {
        await using var service = await StartAsync();
        var before = await SnapshotAsync(service.Database);

        var wrong = new List<string>();
        foreach (var (psql, status) in Refused)
        {
            var reply = await service.Client.StatsAsync("data", psql);
            if (reply.Success || reply.Status != status || reply.Data.ValueKind != System.Text.Json.JsonValueKind.Null || string.IsNullOrEmpty(reply.Error))
            {
                wrong.Add($"{psql} => {reply}");
            }
        }
        var escaped = await service.Client.StatsAsync("data", "select 1) as x) as y; delete from push_log; select * from (select (select 1");
        var capped = await service.Client.StatsAsync("data", "select generate_series(1, 10000000) as g");
        var locked = await service.Client.StatsAsync("data", "select pg_advisory_lock(4242) is null as locked");

        Assert.Empty(wrong);
        Assert.Contains("cannot insert multiple commands into a prepared statement", escaped.Error, StringComparison.Ordinal);
        Assert.True(capped.Success, capped.Error);
        Assert.Equal("true", capped.Truncated);
        Assert.Equal(1000, capped.Data.GetArrayLength());
        Assert.True(locked.Success, locked.Error);
        Assert.True(await TryAdvisoryLockAsync(service.Database, 4242), "the analyst's session lock outlived the statement");
        Assert.False(File.Exists("/tmp/callpush-pwned"));
        Assert.Equal(before, await SnapshotAsync(service.Database));
        Assert.True((await service.Client.StatsAsync("quantity", "select count(*) from push_log")).Success);
        using var ready = await service.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Timeouts_are_answered_504_within_the_configured_time()
    {
        await using var service = await StartAsync();

        var clock = Stopwatch.StartNew();
        var reply = await service.Client.StatsAsync("data", "select set_config('statement_timeout', '0', true), pg_sleep(30)");

        Assert.Contains("ran longer than 1 s", reply.AssertFailure(504), StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Invalid_UTF8_and_oversized_bodies_get_clear_failures_quickly()
    {
        await using var service = await StartAsync();
        var invalid = "{\"entity\":\"chronological\",\"action\":\"data\",\"options\":{\"psql\":\"select '"u8.ToArray()
            .Concat(new byte[] { 0xC3, 0x28, 0xFF }).Concat("'\"}}"u8.ToArray()).ToArray();
        var huge = new byte[10 * 1024 * 1024];
        Array.Fill(huge, (byte)' ');

        using var invalidResponse = await service.Client.PostStatsAsync(invalid);
        var clock = Stopwatch.StartNew();
        // As curl does for a large body: the service answers before the body is sent, and closes the connection.
        using var hugeRequest = new HttpRequestMessage(HttpMethod.Post, "/stats") { Content = new ByteArrayContent(huge) };
        hugeRequest.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        hugeRequest.Headers.ExpectContinue = true;
        using var hugeResponse = await service.Client.SendAsync(hugeRequest);
        var hugeTime = clock.Elapsed;

        Assert.Contains("not valid UTF-8", (await StatsReply.ReadAsync(invalidResponse)).AssertFailure(400), StringComparison.Ordinal);
        Assert.Contains("larger than 65536 bytes", (await StatsReply.ReadAsync(hugeResponse)).AssertFailure(413), StringComparison.Ordinal);
        Assert.True(hugeTime < TimeSpan.FromSeconds(5), $"took {hugeTime}");
        Assert.True((await service.Client.StatsAsync("data", "select 1")).Success);
    }

    [Fact]
    public async Task A_large_answer_is_streamed_so_the_service_memory_does_not_grow_with_it()
    {
        await using var service = await StartAsync(maxRows: 200_000, timeout: "00:01:00");
        await service.Client.StatsAsync("data", "select g from generate_series(1, 1000) g");
        var before = PeakResidentBytes(service.Process.Id);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/stats")
        {
            Content = new StringContent(StatisticsTestSupport.Body("data", "select g, repeat('x', 1000) as filler from generate_series(1, 200000) g"),
                System.Text.Encoding.UTF8, new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }),
        };
        using var response = await service.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long received = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            received += read;
        }
        var growth = PeakResidentBytes(service.Process.Id) - before;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(received > 200_000_000, $"received {received} bytes");
        Assert.True(growth < 64L * 1024 * 1024, $"the service's peak RSS grew by {growth / (1024 * 1024)} MB while it sent {received / (1024 * 1024)} MB");
    }

    /// <summary>The process's peak resident set (VmHWM of /proc/PID/status), in bytes.</summary>
    private static long PeakResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    private async Task<HostileService> StartAsync(int maxRows = 1000, string timeout = "00:00:01")
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var port = ServiceProcess.FreePort();
        var process = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__CallPush"] = connectionString,
            ["CallPush__StatisticsChannel__ConnectionString"] = await StatisticsTestSupport.LoginConnectionStringAsync(connectionString),
            ["CallPush__StatisticsChannel__StatementTimeout"] = timeout,
            ["CallPush__StatisticsChannel__MaxRows"] = maxRows.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            await process.WaitUntilReadyAsync(client, TimeSpan.FromSeconds(60));
        }
        catch
        {
            client.Dispose();
            await process.DisposeAsync();
            throw;
        }
        Assert.Equal(0, (await client.PushAndReadAsync("cdr", Samples.CdrWith(cdr => cdr["SessionId"] = Samples.NewSessionId()), "hostile-cdr")).ErrCode);
        var database = NpgsqlDataSource.Create(connectionString);
        var key = await new ApiKeyStore(database).CreateAsync("hostile", CancellationToken.None);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Key);
        return new HostileService(process, client, database);
    }

    private static async Task<string> SnapshotAsync(NpgsqlDataSource database)
    {
        await using var command = database.CreateCommand(Snapshot);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i).ToString()));
    }

    private static async Task<bool> TryAdvisoryLockAsync(NpgsqlDataSource database, long key)
    {
        await using var command = database.CreateCommand("SELECT pg_try_advisory_lock($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private sealed record HostileService(ServiceProcess Process, HttpClient Client, NpgsqlDataSource Database) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Process.DisposeAsync();
            await Database.DisposeAsync();
        }
    }
}
