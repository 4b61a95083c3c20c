using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CallPush.Tests.Infrastructure;
using CallPush.Tests.Recordings;
using CallPush.Tests.Statistics;
using static CallPush.Tests.Exports.ExportTestSupport;

namespace CallPush.Tests.Exports;

/// <summary>Files an export run writes, read back with Python's csv module and compared with the database row by row.</summary>
public sealed class ExportFileTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _root = NewRoot();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Every_container_reads_back_as_the_database_holds_it_with_days_cut_at_midnight_in_Shanghai()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings(_root, ("TenantNames:1400482256", "acme")));
        using var pusher = app.CreateClient();
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        // 2026-03-07 23:30 and 2026-03-08 00:10 in Shanghai: both on 2026-03-07 in UTC.
        var lateEvening = DateTimeOffset.Parse("2026-03-07T15:30:00Z");
        var justAfterMidnight = DateTimeOffset.Parse("2026-03-07T16:10:00Z");
        // The agent's name is the one of the latest push: the unicode one.
        await pusher.PushCdrAsync(Cdr("s-midnight", justAfterMidnight, cdr => cdr["Caller"] = "0086400123"));
        await pusher.PushCdrAsync(Cdr("s-evening", lateEvening, cdr =>
        {
            cdr["Caller"] = "007550001234";
            cdr["UserRemark"] = "a,b \"quoted\"\r\nsecond line\tafter a tab";
            cdr["SeatUser"]!["Name"] = "张三 Zoë, \"QA\"";
            cdr["SeatUser"]!["SkillGroupNameList"] = new JsonArray("Sales, East", "VIP");
            cdr.Remove("Uui");
            cdr["IVRKeyPressedEx"] = new JsonArray(new JsonObject { ["Key"] = "1", ["Label"] = "sales, \"new\"", ["Timestamp"] = lateEvening.ToUnixTimeSeconds() + 1 });
        }));
        Assert.Equal(0, (await pusher.PushAndReadAsync("record",
            $$"""{"SdkAppId":{{SdkAppId}},"SessionId":"s-evening","RecordId":"r-1","EndpointUser":"0013800000000","Timestamp":{{lateEvening.ToUnixTimeSeconds() + 30}},"RecordURL":"http://127.0.0.1:9/r.mp3"}""",
            Guid.NewGuid().ToString())).ErrCode);
        Assert.Equal(0, (await pusher.PushAndReadAsync("voicemail",
            $$"""{"SdkAppId":{{SdkAppId}},"SessionId":"s-midnight","RecordURL":"http://127.0.0.1:9/v.mp3","EndpointUser":13123456789,"Timestamp":{{justAfterMidnight.ToUnixTimeSeconds() + 40}}}""",
            Guid.NewGuid().ToString(), version: null)).ErrCode);

        var connector = await analyst.CreateFolderConnectorAsync("bi");
        var job = await analyst.CreateJobAsync(new
        {
            name = "nightly",
            connectorId = connector,
            containers = new[] { "calls", "participants", "ivr_key_presses", "recordings", "voicemails", "push_log",
                "stat_skill_group_intervals", "stat_agent_intervals", "agents", "skill_groups" },
            tenants = new[] { SdkAppId },
            timeZone = "Asia/Shanghai",
            frequency = "daily",
            at = "03:00",
            enabled = false,
        });
        await app.WaitUntilCurrentAsync();
        var run = await analyst.WaitForRunAsync(await analyst.StartRunAsync(job, new { from = "2026-03-07", to = "2026-03-08" }));

        Assert.Equal("success", run["status"]!.GetValue<string>());
        Assert.Equal(["2026-03-07", "2026-03-08"], run["days"]!.AsArray().Select(d => d!.GetValue<string>()));
        var folder = Path.Combine(_root, "bi");
        Assert.Equal(8 * 2 + 2, run.Files().Count);
        foreach (var file in run.Files())
        {
            var path = Path.Combine(folder, file["path"]!.GetValue<string>());
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.Equal(file["sha256"]!.GetValue<string>(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), "no BOM unless the job asks for one");
            var csv = await ReadCsvAsync(path);
            Assert.Equal(file["rows"]!.GetValue<long>(), csv.Count - 1);
            Assert.All(csv, row => Assert.Equal(csv[0].Length, row.Length));
            // Every record ends with CRLF, and no line feed stands alone outside a quoted field.
            Assert.EndsWith("\r\n", Encoding.UTF8.GetString(bytes));
        }
        Assert.True(File.Exists(Path.Combine(folder, "CCAAS/FACTS/acme-calls-F/20260307-acme-calls-F.csv")));
        Assert.True(File.Exists(Path.Combine(folder, "CCAAS/DIMENSIONS/acme-agents-D/acme-agents-D.csv")));
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, $"CCAAS/MANIFESTS/run-{run["id"]!.GetValue<long>():D8}.json")))!;
        Assert.Equal(run.Files().Count, manifest["files"]!.AsArray().Count);

        foreach (var (day, session) in new[] { ("20260307", "s-evening"), ("20260308", "s-midnight") })
        {
            var calls = await ReadCsvAsync(Path.Combine(folder, $"CCAAS/FACTS/acme-calls-F/{day}-acme-calls-F.csv"));
            var expected = await app.ExpectedAsync("""
                SELECT cs.session_id, cs.caller, cs.user_remark, cs.uui, a.agent_key, array_to_json(cs.seat_skill_group_names)::text,
                       cs.started_at, cs.accepted_at, cs.ended_at, cs.direction
                FROM call_sessions cs LEFT JOIN agents a ON a.id = cs.seat_agent_id
                WHERE (cs.started_at AT TIME ZONE 'Asia/Shanghai')::date = $1::date ORDER BY cs.started_at
                """, DateOnly.ParseExact(day, "yyyyMMdd"));
            Assert.Equal(expected, Columns(calls, "session_id", "caller", "user_remark", "uui", "seat_agent_key", "seat_skill_group_names",
                "started_at", "accepted_at", "ended_at", "direction"));
            Assert.Equal(session, Assert.Single(Columns(calls, "session_id"))[0]);

            var participants = await ReadCsvAsync(Path.Combine(folder, $"CCAAS/FACTS/acme-participants-F/{day}-acme-participants-F.csv"));
            Assert.Equal(await app.ExpectedAsync("""
                SELECT cs.session_id, sp.sequence, sp.mail, sp.started_at, sp.skill_group_id, sp.transfer_from
                FROM serve_participants sp JOIN call_sessions cs ON cs.id = sp.call_session_id
                WHERE (cs.started_at AT TIME ZONE 'Asia/Shanghai')::date = $1::date ORDER BY cs.started_at, sp.sequence
                """, DateOnly.ParseExact(day, "yyyyMMdd")),
                Columns(participants, "session_id", "sequence", "mail", "started_at", "skill_group_id", "transfer_from"));
        }

        var calls7 = await ReadCsvAsync(Path.Combine(folder, "CCAAS/FACTS/acme-calls-F/20260307-acme-calls-F.csv"));
        var evening = Columns(calls7, "caller", "user_remark", "uui", "seat_skill_group_names", "started_at")[0];
        Assert.Equal(["007550001234", "a,b \"quoted\"\r\nsecond line\tafter a tab", "", "[\"Sales, East\",\"VIP\"]", "2026-03-07T15:30:00Z"], evening);

        var agents = await ReadCsvAsync(Path.Combine(folder, "CCAAS/DIMENSIONS/acme-agents-D/acme-agents-D.csv"));
        Assert.Equal(await app.ExpectedAsync("SELECT agent_key, name, staff_number, first_seen_at FROM agents WHERE sdk_app_id = $1 ORDER BY id", SdkAppId),
            Columns(agents, "agent_key", "name", "staff_number", "first_seen_at"));
        Assert.Contains(Columns(agents, "name"), row => row[0] == "张三 Zoë, \"QA\"");

        var keys = await ReadCsvAsync(Path.Combine(folder, "CCAAS/FACTS/acme-ivr_key_presses-F/20260307-acme-ivr_key_presses-F.csv"));
        Assert.Equal([["s-evening", "ivr", "1", "sales, \"new\""]], Columns(keys, "session_id", "stage", "key", "label"));

        var recordings = await ReadCsvAsync(Path.Combine(folder, "CCAAS/FACTS/acme-recordings-F/20260307-acme-recordings-F.csv"));
        Assert.Equal(await app.ExpectedAsync("""
            SELECT r.session_id, r.endpoint_user, f.status, f.storage_key FROM recordings r
            LEFT JOIN recording_files f ON f.session_id = r.session_id AND f.kind = 'record' AND f.record_id = r.record_id
            """), Columns(recordings, "session_id", "endpoint_user", "archive_status", "storage_key"));
        Assert.Equal("0013800000000", Columns(recordings, "endpoint_user")[0][0]);

        var voicemails = await ReadCsvAsync(Path.Combine(folder, "CCAAS/FACTS/acme-voicemails-F/20260308-acme-voicemails-F.csv"));
        Assert.Equal([["s-midnight", "13123456789"]], Columns(voicemails, "session_id", "endpoint_user"));

        var pushes = await ReadCsvAsync(Path.Combine(folder, "CCAAS/FACTS/acme-push_log-F/20260308-acme-push_log-F.csv"));
        Assert.Equal(await app.ExpectedAsync("""
            SELECT id, action, status, body_bytes FROM push_log WHERE (received_at AT TIME ZONE 'Asia/Shanghai')::date = '2026-03-08'::date ORDER BY received_at, id
            """), Columns(pushes, "id", "action", "status", "body_bytes"));
        Assert.DoesNotContain("body", pushes[0]);
        Assert.All(Columns(pushes, "source"), row => Assert.Equal("push", row[0]));

        foreach (var day in new[] { "20260307", "20260308" })
        {
            var agentIntervals = await ReadCsvAsync(Path.Combine(folder, $"CCAAS/FACTS/acme-stat_agent_intervals-F/{day}-acme-stat_agent_intervals-F.csv"));
            var expectedAgentIntervals = await app.ExpectedAsync("""
                SELECT a.agent_key, i.interval_start, i.offered, i.answered, i.ring_seconds, i.talk_seconds
                FROM stat_agent_intervals i JOIN agents a ON a.id = i.agent_id
                WHERE (i.interval_start AT TIME ZONE 'Asia/Shanghai')::date = $1::date ORDER BY i.interval_start, i.agent_id
                """, DateOnly.ParseExact(day, "yyyyMMdd"));
            Assert.NotEmpty(expectedAgentIntervals);
            Assert.Equal(expectedAgentIntervals,
                Columns(agentIntervals, "agent_key", "interval_start", "offered", "answered", "ring_seconds", "talk_seconds"));

            var groupIntervals = await ReadCsvAsync(Path.Combine(folder, $"CCAAS/FACTS/acme-stat_skill_group_intervals-F/{day}-acme-stat_skill_group_intervals-F.csv"));
            Assert.Equal(await app.ExpectedAsync("""
                SELECT i.skill_group_id, i.interval_start, i.t1_seconds, i.offered, i.answered, i.abandoned, i.wait_seconds_total
                FROM stat_skill_group_intervals i
                WHERE (i.interval_start AT TIME ZONE 'Asia/Shanghai')::date = $1::date ORDER BY i.interval_start, i.skill_group_id
                """, DateOnly.ParseExact(day, "yyyyMMdd")),
                Columns(groupIntervals, "skill_group_id", "interval_start", "t1_seconds", "offered", "answered", "abandoned", "wait_seconds_total"));
        }
    }

    [Fact]
    public async Task A_day_with_a_daylight_saving_change_in_New_York_has_23_hours_and_gzip_with_a_BOM_reads_back()
    {
        await using var app = await CallPushApp.StartAsync(postgres, Settings(_root));
        using var pusher = app.CreateClient();
        using var analyst = app.AnalystClient(await app.CreateKeyAsync());
        // Clocks in New York go from 02:00 EST to 03:00 EDT on 2026-03-08: that day runs from 05:00Z to 04:00Z the next day.
        var sessions = new (string Id, string Start)[]
        {
            ("before", "2026-03-08T04:59:59Z"), ("first", "2026-03-08T05:00:00Z"), ("last", "2026-03-09T03:59:59Z"), ("after", "2026-03-09T04:00:00Z"),
        };
        foreach (var (id, start) in sessions)
        {
            await pusher.PushCdrAsync(Cdr(id, DateTimeOffset.Parse(start)));
        }
        var connector = await analyst.CreateFolderConnectorAsync("ny");
        var job = await analyst.CreateJobAsync(new
        {
            name = "ny",
            connectorId = connector,
            containers = new[] { "calls" },
            tenants = new[] { SdkAppId },
            timeZone = "America/New_York",
            frequency = "cron",
            cron = "0 4 * * *",
            enabled = false,
            gzip = true,
            bom = true,
        });
        var run = await analyst.WaitForRunAsync(await analyst.StartRunAsync(job, new { from = "2026-03-07", to = "2026-03-09" }));

        Assert.Equal("success", run["status"]!.GetValue<string>());
        var byDay = new Dictionary<string, string[]>();
        foreach (var day in new[] { "20260307", "20260308", "20260309" })
        {
            var path = Path.Combine(_root, "ny", $"CCAAS/FACTS/{SdkAppId}-calls-F/{day}-{SdkAppId}-calls-F.csv.gz");
            await using (var gzip = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress))
            {
                var start = new byte[3];
                await gzip.ReadExactlyAsync(start);
                Assert.Equal(Encoding.UTF8.Preamble.ToArray(), start);
            }
            byDay[day] = Columns(await ReadCsvAsync(path), "session_id").Select(r => r[0]).ToArray();
        }
        Assert.Equal(["before"], byDay["20260307"]);
        Assert.Equal(["first", "last"], byDay["20260308"]);
        Assert.Equal(["after"], byDay["20260309"]);
    }
}
