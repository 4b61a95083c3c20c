using System.Buffers;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

// The least an ASP.NET Core service can do per CDR push: read the body, parse it, write the same rows as CallPush
// (the statements of CallPush's PushStore for a CDR) in one transaction, one round trip, and answer. No validation
// beyond that, no logging, no retries, no options: it is the yardstick, not a service.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var settings = new NpgsqlConnectionStringBuilder(builder.Configuration.GetConnectionString("CallPush")
    ?? throw new InvalidOperationException("set ConnectionStrings__CallPush"))
{
    ApplicationName = "baseline",
    MaxAutoPrepare = 64,
};
await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
var app = builder.Build();
app.MapPost("/push", async (HttpContext context) =>
{
    var body = await ReadBodyAsync(context.Request);
    var uuid = context.Request.Headers["X-TCCC-PUSH-UUID"].ToString();
    using var document = JsonDocument.Parse(body);
    var stored = await CdrWriter.StoreAsync(dataSource, uuid, body, document.RootElement, context.RequestAborted);
    return Results.Text(stored ? """{"ErrCode":0,"ErrMsg":"ok"}""" : """{"ErrCode":0,"ErrMsg":"duplicate"}""", "application/json");
});
app.Run();

static async Task<byte[]> ReadBodyAsync(HttpRequest request)
{
    var buffer = new ArrayBufferWriter<byte>((int)(request.ContentLength ?? 4096));
    while (true)
    {
        var read = await request.Body.ReadAsync(buffer.GetMemory(4096));
        if (read == 0)
        {
            return buffer.WrittenSpan.ToArray();
        }
        buffer.Advance(read);
    }
}

internal static class CdrWriter
{
    private const string ThisPush = "p.id = currval(pg_get_serial_sequence('push_log', 'id')) AND p.dedup_key = $1";

    private const string InsertPushLog = """
        INSERT INTO push_log (dedup_key, push_uuid, action, version, received_at, sdk_app_id, session_id,
                              status, error_code, error, body_bytes, body, raw_body, headers)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        ON CONFLICT (dedup_key) DO NOTHING
        RETURNING id
        """;

    private const string AgentColumns = "$3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]";

    private const string InsertAgents = $"""
        INSERT INTO agents (sdk_app_id, agent_key, user_id, mail, name, nick, phone, staff_number, first_seen_at, updated_at)
        SELECT $2, a.agent_key, a.user_id, a.mail, a.name, a.nick, a.phone, a.staff_number, now(), now()
        FROM unnest({AgentColumns}) AS a(agent_key, user_id, mail, name, nick, phone, staff_number)
        WHERE EXISTS (SELECT FROM push_log p WHERE {ThisPush})
        ORDER BY a.agent_key
        ON CONFLICT (sdk_app_id, agent_key) DO NOTHING
        """;

    private const string UpdateAgents = $"""
        UPDATE agents t
        SET user_id = COALESCE(a.user_id, t.user_id), mail = COALESCE(a.mail, t.mail), name = COALESCE(a.name, t.name),
            nick = COALESCE(a.nick, t.nick), phone = COALESCE(a.phone, t.phone),
            staff_number = COALESCE(a.staff_number, t.staff_number), updated_at = now()
        FROM unnest({AgentColumns}) AS a(agent_key, user_id, mail, name, nick, phone, staff_number)
        WHERE t.sdk_app_id = $2 AND t.agent_key = a.agent_key
          AND (t.user_id, t.mail, t.name, t.nick, t.phone, t.staff_number) IS DISTINCT FROM
              (COALESCE(a.user_id, t.user_id), COALESCE(a.mail, t.mail), COALESCE(a.name, t.name),
               COALESCE(a.nick, t.nick), COALESCE(a.phone, t.phone), COALESCE(a.staff_number, t.staff_number))
          AND EXISTS (SELECT FROM push_log p WHERE {ThisPush})
        """;

    private const string InsertSkillGroups = $"""
        INSERT INTO skill_groups (sdk_app_id, skill_group_id, name, first_seen_at, updated_at)
        SELECT $2, g.id, g.name, now(), now()
        FROM unnest($3::bigint[], $4::text[]) AS g(id, name)
        WHERE EXISTS (SELECT FROM push_log p WHERE {ThisPush})
        ORDER BY g.id
        ON CONFLICT (sdk_app_id, skill_group_id) DO NOTHING
        """;

    private const string UpdateSkillGroups = $"""
        UPDATE skill_groups t SET name = g.name, updated_at = now()
        FROM unnest($3::bigint[], $4::text[]) AS g(id, name)
        WHERE t.sdk_app_id = $2 AND t.skill_group_id = g.id AND g.name IS NOT NULL AND t.name IS DISTINCT FROM g.name
          AND EXISTS (SELECT FROM push_log p WHERE {ThisPush})
        """;

    private const string UpsertSession = $"""
        INSERT INTO call_sessions (sdk_app_id, session_id, caller, callee, direction, duration_seconds, ivr_duration_seconds,
            caller_location, seat_agent_id, seat_skill_group_names, started_at, queued_at, ring_at, accepted_at, ended_at,
            hung_up_side, end_status, queued_skill_group_id, queued_skill_group_name, record_id, user_remark, uui,
            tel_number, tel_country, tel_province, tel_city, tel_operator, call_type, protected_caller, asr_url,
            voicemail_record_url, cdr_push_id, updated_at)
        SELECT $2, $3, $4, $5, $6, $7, $8, $9,
               (SELECT a.id FROM agents a WHERE a.sdk_app_id = $2 AND a.agent_key = $10),
               $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32,
               p.id, now()
        FROM push_log p WHERE {ThisPush}
        ON CONFLICT (sdk_app_id, session_id) DO UPDATE SET
            caller = excluded.caller, callee = excluded.callee, direction = excluded.direction,
            duration_seconds = excluded.duration_seconds, ivr_duration_seconds = excluded.ivr_duration_seconds,
            caller_location = excluded.caller_location, seat_agent_id = excluded.seat_agent_id,
            seat_skill_group_names = excluded.seat_skill_group_names, started_at = excluded.started_at,
            queued_at = excluded.queued_at, ring_at = excluded.ring_at, accepted_at = excluded.accepted_at,
            ended_at = excluded.ended_at, hung_up_side = excluded.hung_up_side, end_status = excluded.end_status,
            queued_skill_group_id = excluded.queued_skill_group_id, queued_skill_group_name = excluded.queued_skill_group_name,
            record_id = excluded.record_id, user_remark = excluded.user_remark, uui = excluded.uui,
            tel_number = excluded.tel_number, tel_country = excluded.tel_country, tel_province = excluded.tel_province,
            tel_city = excluded.tel_city, tel_operator = excluded.tel_operator, call_type = excluded.call_type,
            protected_caller = excluded.protected_caller, asr_url = excluded.asr_url,
            voicemail_record_url = excluded.voicemail_record_url, cdr_push_id = excluded.cdr_push_id,
            updated_at = excluded.updated_at
        WHERE COALESCE(excluded.ended_at, '-infinity') >= COALESCE(call_sessions.ended_at, '-infinity')
        """;

    private const string SessionOfThisPush = $"""
        call_sessions s JOIN push_log p ON p.id = s.cdr_push_id AND {ThisPush}
        """;

    private const string DeleteParticipants = $"""
        DELETE FROM serve_participants sp USING {SessionOfThisPush}
        WHERE sp.call_session_id = s.id AND s.sdk_app_id = $2 AND s.session_id = $3
        """;

    private const string InsertParticipants = $"""
        INSERT INTO serve_participants (call_session_id, sdk_app_id, sequence, agent_id, mail, phone, type, started_at,
            ring_at, accepted_at, ended_at, record_id, transfer_from, transfer_from_type, transfer_to, transfer_to_type,
            skill_group_id, skill_group_name, skill_group_priority, end_status)
        SELECT s.id, $2, v.sequence, a.id, v.mail, v.phone, v.type, v.started_at, v.ring_at, v.accepted_at, v.ended_at,
               v.record_id, v.transfer_from, v.transfer_from_type, v.transfer_to, v.transfer_to_type,
               v.skill_group_id, v.skill_group_name, v.skill_group_priority, v.end_status
        FROM {SessionOfThisPush}
        CROSS JOIN unnest($4::integer[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[],
                          $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::text[], $14::text[], $15::text[],
                          $16::text[], $17::text[], $18::bigint[], $19::text[], $20::integer[], $21::text[])
            AS v(sequence, agent_key, mail, phone, type, started_at, ring_at, accepted_at, ended_at, record_id,
                 transfer_from, transfer_from_type, transfer_to, transfer_to_type, skill_group_id, skill_group_name,
                 skill_group_priority, end_status)
        LEFT JOIN agents a ON a.sdk_app_id = $2 AND a.agent_key = v.agent_key
        WHERE s.sdk_app_id = $2 AND s.session_id = $3
        """;

    private const string DeleteKeyPresses = $"""
        DELETE FROM ivr_key_presses k USING {SessionOfThisPush}
        WHERE k.call_session_id = s.id AND s.sdk_app_id = $2 AND s.session_id = $3
        """;

    private const string InsertKeyPresses = $"""
        INSERT INTO ivr_key_presses (call_session_id, stage, position, key, label, pressed_at)
        SELECT s.id, v.stage, v.position, v.key, v.label, v.pressed_at
        FROM {SessionOfThisPush}
        CROSS JOIN unnest($4::text[], $5::integer[], $6::text[], $7::text[], $8::timestamptz[])
            AS v(stage, position, key, label, pressed_at)
        WHERE s.sdk_app_id = $2 AND s.session_id = $3
        """;

    public static async Task<bool> StoreAsync(NpgsqlDataSource dataSource, string uuid, byte[] body, JsonElement cdr, CancellationToken cancellationToken)
    {
        var sdkAppId = cdr.GetProperty("SdkAppId").GetInt64();
        var sessionId = cdr.GetProperty("SessionId").GetString()!;
        var seat = cdr.GetProperty("SeatUser");
        var participants = cdr.GetProperty("ServeParticipants").EnumerateArray().ToArray();
        var keys = cdr.GetProperty("IVRKeyPressedEx").EnumerateArray().ToArray();

        var agents = new SortedDictionary<string, (string? UserId, string? Mail, string? Name, string? Nick, string? Phone, string? Staff)>(StringComparer.Ordinal);
        var seatKey = Text(seat, "Mail")?.ToLowerInvariant();
        if (seatKey is not null)
        {
            agents[seatKey] = (Text(seat, "UserId"), Text(seat, "Mail"), Text(seat, "Name"), Text(seat, "Nick"), Text(seat, "Phone"), Text(seat, "StaffNumber"));
        }
        foreach (var p in participants)
        {
            if (Text(p, "Mail")?.ToLowerInvariant() is { } key && !agents.ContainsKey(key))
            {
                agents[key] = (null, Text(p, "Mail"), null, null, Text(p, "Phone"), null);
            }
        }
        var groups = new SortedDictionary<long, string?> { [cdr.GetProperty("QueuedSkillGroupId").GetInt64()] = Text(cdr, "QueuedSkillGroupName") };
        foreach (var p in participants)
        {
            groups.TryAdd(p.GetProperty("SkillGroupId").GetInt64(), Text(p, "SkillGroupName"));
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Command(InsertPushLog, Txt(uuid), Txt(uuid), Txt("cdr"), Txt("1"),
            new NpgsqlParameter<DateTimeOffset> { TypedValue = DateTimeOffset.UtcNow }, I64(sdkAppId), Txt(sessionId), Txt("accepted"),
            new NpgsqlParameter<int> { TypedValue = 0 }, Txt(null), new NpgsqlParameter<int> { TypedValue = body.Length },
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = Encoding.UTF8.GetString(body) },
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = DBNull.Value },
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = $$"""{"X-TCCC-PUSH-UUID":"{{uuid}}","Content-Type":"application/json; charset=utf8"}""" }));

        NpgsqlParameter[] AgentParameters() =>
        [
            Txt(uuid), I64(sdkAppId), Texts(agents.Keys), Texts(agents.Values.Select(a => a.UserId)), Texts(agents.Values.Select(a => a.Mail)),
            Texts(agents.Values.Select(a => a.Name)), Texts(agents.Values.Select(a => a.Nick)), Texts(agents.Values.Select(a => a.Phone)),
            Texts(agents.Values.Select(a => a.Staff)),
        ];
        batch.BatchCommands.Add(Command(InsertAgents, AgentParameters()));
        batch.BatchCommands.Add(Command(UpdateAgents, AgentParameters()));
        NpgsqlParameter[] GroupParameters() =>
            [Txt(uuid), I64(sdkAppId), Arr(groups.Keys.ToArray(), NpgsqlDbType.Bigint), Texts(groups.Values)];
        batch.BatchCommands.Add(Command(InsertSkillGroups, GroupParameters()));
        batch.BatchCommands.Add(Command(UpdateSkillGroups, GroupParameters()));

        var tel = cdr.GetProperty("TelLocation");
        batch.BatchCommands.Add(Command(UpsertSession,
            Txt(uuid), I64(sdkAppId), Txt(sessionId), Txt(Text(cdr, "Caller")), Txt(Text(cdr, "Callee")),
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Smallint, Value = (short)cdr.GetProperty("Direction").GetInt32() },
            I32(cdr.GetProperty("Duration").GetInt32()), I32(cdr.GetProperty("IVRDuration").GetInt32()), Txt(Text(cdr, "CallerLocation")), Txt(seatKey),
            Arr(seat.GetProperty("SkillGroupNameList").EnumerateArray().Select(e => e.GetString()).ToArray(), NpgsqlDbType.Text),
            Time(cdr, "StartTimestamp"), Time(cdr, "QueuedTimestamp"), Time(cdr, "RingTimestamp"), Time(cdr, "AcceptTimestamp"), Time(cdr, "EndedTimestamp"),
            Txt(Text(cdr, "HungUpSide")), Txt(Text(cdr, "EndStatusString")), I64(cdr.GetProperty("QueuedSkillGroupId").GetInt64()),
            Txt(Text(cdr, "QueuedSkillGroupName")), Txt(Text(cdr, "RecordId")), Txt(Text(cdr, "UserRemark")), Txt(Text(cdr, "Uui")),
            Txt(Text(tel, "TelNumber")), Txt(Text(tel, "Country")), Txt(Text(tel, "Province")), Txt(Text(tel, "City")), Txt(Text(tel, "Operator")),
            Txt(null), Txt(null), Txt(null), Txt(null)));

        batch.BatchCommands.Add(Command(DeleteParticipants, Txt(uuid), I64(sdkAppId), Txt(sessionId)));
        batch.BatchCommands.Add(Command(InsertParticipants, Txt(uuid), I64(sdkAppId), Txt(sessionId),
            Arr(participants.Select(p => p.GetProperty("Sequence").GetInt32()).ToArray(), NpgsqlDbType.Integer),
            Texts(participants.Select(p => Text(p, "Mail")?.ToLowerInvariant())), Texts(participants.Select(p => Text(p, "Mail"))),
            Texts(participants.Select(p => Text(p, "Phone"))), Texts(participants.Select(p => Text(p, "Type"))),
            Times(participants, "StartTimestamp"), Times(participants, "RingTimestamp"), Times(participants, "AcceptTimestamp"), Times(participants, "EndedTimestamp"),
            Texts(participants.Select(p => Text(p, "RecordId"))), Texts(participants.Select(p => Text(p, "TransferFrom"))),
            Texts(participants.Select(p => Text(p, "TransferFromType"))), Texts(participants.Select(p => Text(p, "TransferTo"))),
            Texts(participants.Select(p => Text(p, "TransferToType"))),
            Arr(participants.Select(p => (long?)p.GetProperty("SkillGroupId").GetInt64()).ToArray(), NpgsqlDbType.Bigint),
            Texts(participants.Select(p => Text(p, "SkillGroupName"))),
            Arr(participants.Select(p => (int?)p.GetProperty("SkillGroupPriority").GetInt32()).ToArray(), NpgsqlDbType.Integer),
            Texts(participants.Select(p => Text(p, "EndStatusString")))));

        batch.BatchCommands.Add(Command(DeleteKeyPresses, Txt(uuid), I64(sdkAppId), Txt(sessionId)));
        batch.BatchCommands.Add(Command(InsertKeyPresses, Txt(uuid), I64(sdkAppId), Txt(sessionId),
            Texts(keys.Select(_ => "ivr")), Arr(Enumerable.Range(0, keys.Length).ToArray(), NpgsqlDbType.Integer),
            Texts(keys.Select(k => Text(k, "Key"))), Texts(keys.Select(k => Text(k, "Label"))),
            Arr(keys.Select(_ => (DateTimeOffset?)null).ToArray(), NpgsqlDbType.TimestampTz)));

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var stored = await reader.ReadAsync(cancellationToken);
        while (await reader.NextResultAsync(cancellationToken))
        {
        }
        return stored;
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Txt(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter I64(long value) => new() { NpgsqlDbType = NpgsqlDbType.Bigint, Value = value };

    private static NpgsqlParameter I32(int value) => new() { NpgsqlDbType = NpgsqlDbType.Integer, Value = value };

    private static NpgsqlParameter Arr<T>(T[] values, NpgsqlDbType elementType) => new() { NpgsqlDbType = NpgsqlDbType.Array | elementType, Value = values };

    private static NpgsqlParameter Texts(IEnumerable<string?> values) => Arr(values.ToArray(), NpgsqlDbType.Text);

    private static NpgsqlParameter Time(JsonElement obj, string name) => new()
    {
        NpgsqlDbType = NpgsqlDbType.TimestampTz,
        Value = obj.GetProperty(name).GetInt64() is > 0 and var seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : DBNull.Value,
    };

    private static NpgsqlParameter Times(JsonElement[] items, string name) => Arr(
        items.Select(p => p.GetProperty(name).GetInt64() is > 0 and var s ? DateTimeOffset.FromUnixTimeSeconds(s) : (DateTimeOffset?)null).ToArray(),
        NpgsqlDbType.TimestampTz);
}
