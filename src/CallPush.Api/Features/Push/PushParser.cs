using System.Text;
using System.Text.Json;
using CallPush.Api.Answers;

namespace CallPush.Api.Features.Push;

/// <summary>The body as it will be kept in push_log, and what could be read from it.</summary>
internal sealed record ParsedPush(string? BodyJson, PushContent? Content, int ErrCode, string? Error)
{
    public bool Accepted => ErrCode == ErrCodes.Ok;
    public long? SdkAppId { get; init; }
    public string? SessionId { get; init; }
}

internal static class PushParser
{
    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 64 };
    private static readonly JsonDocumentOptions Lenient = new()
    {
        MaxDepth = 64,
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    public static ParsedPush Parse(PushAction? action, ReadOnlyMemory<byte> body)
    {
        if (!TryReadJson(body, out var document, out var bodyJson, out var jsonError))
        {
            return new ParsedPush(null, null, ErrCodes.InvalidJson, jsonError);
        }
        using (document)
        {
            if (LenientObject.Of(document.RootElement) is not { } root)
            {
                var kind = document.RootElement.ValueKind.ToString().ToLowerInvariant();
                return new ParsedPush(bodyJson, null, ErrCodes.NotAnObject, $"body is a JSON {kind}, not an object");
            }
            var sdkAppId = root.Integer("SdkAppId");
            var sessionId = root.Text("SessionId");
            var parsed = new ParsedPush(bodyJson, null, ErrCodes.Ok, null) { SdkAppId = sdkAppId, SessionId = sessionId };
            if (action is null)
            {
                return parsed;
            }
            if (sdkAppId is null)
            {
                return parsed with { ErrCode = ErrCodes.MissingField, Error = "SdkAppId is missing or not an integer" };
            }
            if (sessionId is null)
            {
                return parsed with { ErrCode = ErrCodes.MissingField, Error = "SessionId is missing or empty" };
            }
            return parsed with
            {
                Content = action switch
                {
                    PushAction.Cdr => ReadCdr(root, sdkAppId.Value, sessionId),
                    PushAction.Record => ReadRecord(root, sdkAppId.Value, sessionId),
                    _ => ReadVoicemail(root, sdkAppId.Value, sessionId),
                },
            };
        }
    }

    /// <summary>
    /// Strict JSON is kept byte for byte. JSON that only a lenient reader accepts (the platform's own samples carry
    /// trailing commas) is kept re-written as strict JSON, because PostgreSQL's jsonb parser is strict.
    /// </summary>
    private static bool TryReadJson(ReadOnlyMemory<byte> body, out JsonDocument document, out string? bodyJson, out string? error)
    {
        try
        {
            document = JsonDocument.Parse(body, Strict);
            bodyJson = Encoding.UTF8.GetString(body.Span);
            error = null;
            return true;
        }
        catch (JsonException)
        {
        }
        try
        {
            document = JsonDocument.Parse(body, Lenient);
            bodyJson = JsonSerializer.Serialize(document.RootElement);
            error = null;
            return true;
        }
        catch (JsonException e)
        {
            document = null!;
            bodyJson = null;
            error = body.IsEmpty ? "body is empty" : $"body is not valid JSON ({FirstSentence(e.Message)})";
            return false;
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }

    private static CdrPush ReadCdr(LenientObject root, long sdkAppId, string sessionId)
    {
        var seat = root.Object("SeatUser") is { } s
            ? new SeatUser(s.Text("UserId"), s.Text("Mail"), s.Text("Name"), s.Text("Nick"), s.Text("Phone"), s.Text("StaffNumber"),
                Texts(s.Array("SkillGroupNameList")))
            : null;
        var tel = root.Object("TelLocation") is { } t
            ? new TelLocation(t.Text("TelNumber"), t.Text("Country"), t.Text("Province"), t.Text("City"), t.Text("Operator"))
            : null;
        var ivrKeys = KeyPresses(root.Array("IVRKeyPressedEx"));
        return new CdrPush(sdkAppId, sessionId)
        {
            Caller = root.Text("Caller"),
            Callee = root.Text("Callee"),
            Direction = root.Integer("Direction") is >= short.MinValue and <= short.MaxValue and var d ? (short)d : null,
            DurationSeconds = root.Int32("Duration"),
            IvrDurationSeconds = root.Int32("IVRDuration"),
            CallerLocation = root.Text("CallerLocation"),
            Seat = seat,
            StartedAt = root.UnixTime("StartTimestamp"),
            QueuedAt = root.UnixTime("QueuedTimestamp"),
            RingAt = root.UnixTime("RingTimestamp"),
            AcceptedAt = root.UnixTime("AcceptTimestamp"),
            EndedAt = root.UnixTime("EndedTimestamp"),
            HungUpSide = root.Text("HungUpSide"),
            EndStatus = root.Text("EndStatusString"),
            QueuedSkillGroupId = root.Id("QueuedSkillGroupId"),
            QueuedSkillGroupName = root.Text("QueuedSkillGroupName"),
            RecordId = root.Text("RecordId"),
            UserRemark = root.Text("UserRemark"),
            Uui = root.Text("Uui"),
            TelLocation = tel,
            CallType = root.Text("CallType"),
            ProtectedCaller = root.Text("ProtectedCaller"),
            AsrUrl = root.Text("AsrUrl"),
            VoicemailRecordUrl = root.Text("VoicemailRecordURL"),
            Participants = Participants(root.Array("ServeParticipants")),
            IvrKeys = ivrKeys.Count > 0 ? ivrKeys : KeyPresses(root.Array("IVRKeyPressed")),
            PostIvrKeys = KeyPresses(root.Array("PostIVRKeyPressed")),
        };
    }

    private static RecordPush ReadRecord(LenientObject root, long sdkAppId, string sessionId) => new(sdkAppId, sessionId)
    {
        RecordId = root.Text("RecordId"),
        EndpointUser = root.Text("EndpointUser"),
        RecordUrl = root.Text("RecordURL"),
        CustomRecordUrl = root.Text("CustomRecordURL"),
        RecordedAt = root.UnixTime("Timestamp"),
    };

    private static VoicemailPush ReadVoicemail(LenientObject root, long sdkAppId, string sessionId) => new(sdkAppId, sessionId)
    {
        EndpointUser = root.Text("EndpointUser"),
        RecordUrl = root.Text("RecordURL"),
        RecordedAt = root.UnixTime("Timestamp"),
    };

    /// <summary>One participant per Sequence (the last one wins); a missing Sequence is the position in the array.</summary>
    private static List<Participant> Participants(IEnumerable<JsonElement> items)
    {
        var bySequence = new SortedDictionary<int, Participant>();
        var position = 0;
        foreach (var item in items)
        {
            if (LenientObject.Of(item) is not { } p)
            {
                position++;
                continue;
            }
            var sequence = p.Int32("Sequence") ?? position;
            position++;
            bySequence[sequence] = new Participant(sequence)
            {
                Mail = p.Text("Mail"),
                Phone = p.Text("Phone"),
                Type = p.Text("Type"),
                StartedAt = p.UnixTime("StartTimestamp"),
                RingAt = p.UnixTime("RingTimestamp"),
                AcceptedAt = p.UnixTime("AcceptTimestamp"),
                EndedAt = p.UnixTime("EndedTimestamp"),
                RecordId = p.Text("RecordId"),
                TransferFrom = p.Text("TransferFrom"),
                TransferFromType = p.Text("TransferFromType"),
                TransferTo = p.Text("TransferTo"),
                TransferToType = p.Text("TransferToType"),
                SkillGroupId = p.Id("SkillGroupId"),
                SkillGroupName = p.Text("SkillGroupName"),
                SkillGroupPriority = p.Int32("SkillGroupPriority"),
                EndStatus = p.Text("EndStatusString"),
            };
        }
        return [.. bySequence.Values];
    }

    /// <summary>Keys arrive as plain strings (IVRKeyPressed) or as objects with Key, Label and maybe Timestamp.</summary>
    private static List<KeyPress> KeyPresses(IEnumerable<JsonElement> items)
    {
        var keys = new List<KeyPress>();
        foreach (var item in items)
        {
            if (LenientObject.Of(item) is { } pressed)
            {
                keys.Add(new KeyPress(pressed.Text("Key"), pressed.Text("Label"), pressed.UnixTime("Timestamp")));
            }
            else if (LenientObject.AsText(item) is { } key)
            {
                keys.Add(new KeyPress(key, null, null));
            }
        }
        return keys;
    }

    private static string[]? Texts(IEnumerable<JsonElement> items)
    {
        string[] texts = [.. items.Select(LenientObject.AsText).OfType<string>()];
        return texts.Length > 0 ? texts : null;
    }
}
