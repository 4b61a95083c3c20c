using CallPush.Api.Features.Push;
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
    // The very statements CallPush runs (src/CallPush.Api/Features/Push/PushSql.cs, compiled into this project too).

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
        batch.BatchCommands.Add(new NpgsqlBatchCommand(PushSql.GenericPlans));
        batch.BatchCommands.Add(Command(PushSql.InsertPushLog, Txt(uuid), Txt(uuid), Txt("cdr"), Txt("1"),
            new NpgsqlParameter<DateTimeOffset> { TypedValue = DateTimeOffset.UtcNow }, I64(sdkAppId), Txt(sessionId), Txt("accepted"),
            new NpgsqlParameter<int> { TypedValue = 0 }, Txt(null), new NpgsqlParameter<int> { TypedValue = body.Length },
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = Encoding.UTF8.GetString(body) },
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = DBNull.Value },
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = $$"""{"X-TCCC-PUSH-UUID":"{{uuid}}","Content-Type":"application/json; charset=utf8"}""" },
            Txt("push"), Txt(null)));

        NpgsqlParameter[] AgentParameters() =>
        [
            Txt(uuid), I64(sdkAppId), Texts(agents.Keys), Texts(agents.Values.Select(a => a.UserId)), Texts(agents.Values.Select(a => a.Mail)),
            Texts(agents.Values.Select(a => a.Name)), Texts(agents.Values.Select(a => a.Nick)), Texts(agents.Values.Select(a => a.Phone)),
            Texts(agents.Values.Select(a => a.Staff)),
        ];
        batch.BatchCommands.Add(Command(PushSql.InsertAgents, AgentParameters()));
        batch.BatchCommands.Add(Command(PushSql.UpdateAgents, AgentParameters()));
        NpgsqlParameter[] GroupParameters() =>
            [Txt(uuid), I64(sdkAppId), Arr(groups.Keys.ToArray(), NpgsqlDbType.Bigint), Texts(groups.Values)];
        batch.BatchCommands.Add(Command(PushSql.InsertSkillGroups, GroupParameters()));
        batch.BatchCommands.Add(Command(PushSql.UpdateSkillGroups, GroupParameters()));

        var tel = cdr.GetProperty("TelLocation");
        batch.BatchCommands.Add(Command(PushSql.UpsertSession,
            Txt(uuid), I64(sdkAppId), Txt(sessionId), Txt(Text(cdr, "Caller")), Txt(Text(cdr, "Callee")),
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Smallint, Value = (short)cdr.GetProperty("Direction").GetInt32() },
            I32(cdr.GetProperty("Duration").GetInt32()), I32(cdr.GetProperty("IVRDuration").GetInt32()), Txt(Text(cdr, "CallerLocation")), Txt(seatKey),
            Arr(seat.GetProperty("SkillGroupNameList").EnumerateArray().Select(e => e.GetString()).ToArray(), NpgsqlDbType.Text),
            Time(cdr, "StartTimestamp"), Time(cdr, "QueuedTimestamp"), Time(cdr, "RingTimestamp"), Time(cdr, "AcceptTimestamp"), Time(cdr, "EndedTimestamp"),
            Txt(Text(cdr, "HungUpSide")), Txt(Text(cdr, "EndStatusString")), I64(cdr.GetProperty("QueuedSkillGroupId").GetInt64()),
            Txt(Text(cdr, "QueuedSkillGroupName")), Txt(Text(cdr, "RecordId")), Txt(Text(cdr, "UserRemark")), Txt(Text(cdr, "Uui")),
            Txt(Text(tel, "TelNumber")), Txt(Text(tel, "Country")), Txt(Text(tel, "Province")), Txt(Text(tel, "City")), Txt(Text(tel, "Operator")),
            Txt(null), Txt(null), Txt(null), Txt(null)));

        batch.BatchCommands.Add(Command(PushSql.DeleteParticipants, Txt(uuid), I64(sdkAppId), Txt(sessionId)));
        batch.BatchCommands.Add(Command(PushSql.InsertParticipants, Txt(uuid), I64(sdkAppId), Txt(sessionId),
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

        batch.BatchCommands.Add(Command(PushSql.DeleteKeyPresses, Txt(uuid), I64(sdkAppId), Txt(sessionId)));
        batch.BatchCommands.Add(Command(PushSql.InsertKeyPresses, Txt(uuid), I64(sdkAppId), Txt(sessionId),
            Texts(keys.Select(_ => "ivr")), Arr(Enumerable.Range(0, keys.Length).ToArray(), NpgsqlDbType.Integer),
            Texts(keys.Select(k => Text(k, "Key"))), Texts(keys.Select(k => Text(k, "Label"))),
            Arr(keys.Select(_ => (DateTimeOffset?)null).ToArray(), NpgsqlDbType.TimestampTz)));

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken); // past GenericPlans' row
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
