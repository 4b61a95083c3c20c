using System.Text;
using System.Text.Json;

namespace CallPush.Simulator.Sessions;

internal enum PushKind
{
    Cdr,
    Record,
    Voicemail,
}

/// <summary>One push as the platform sends it: the query, the body bytes and its own X-TCCC-PUSH-UUID.</summary>
internal sealed record SimulatedPush(PushKind Kind, byte[] Body, string Uuid)
{
    public string Action => Kind switch
    {
        PushKind.Cdr => "cdr",
        PushKind.Record => "record",
        _ => "voicemail",
    };

    /// <summary>The voicemail push is the one the protocol documents without a version parameter.</summary>
    public string Query => Kind == PushKind.Voicemail ? "action=voicemail" : $"action={Action}&version=1";

    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The same body pushed again as a new push: what the platform does when a session's CDR is re-sent.</summary>
    public SimulatedPush AsRepush() => this with { Uuid = Guid.NewGuid().ToString() };

    public static SimulatedPush Of(CdrBody body) => new(PushKind.Cdr, JsonSerializer.SerializeToUtf8Bytes(body, PushBodyJson.Default.CdrBody), Guid.NewGuid().ToString());

    public static SimulatedPush Of(RecordBody body) => new(PushKind.Record, JsonSerializer.SerializeToUtf8Bytes(body, PushBodyJson.Default.RecordBody), Guid.NewGuid().ToString());

    public static SimulatedPush Of(VoicemailBody body) => new(PushKind.Voicemail, JsonSerializer.SerializeToUtf8Bytes(body, PushBodyJson.Default.VoicemailBody), Guid.NewGuid().ToString());
}

/// <summary>A finished call: its CDR, one recording per party that was on the call, and maybe a voicemail.</summary>
internal sealed record SimulatedSession(CdrBody Cdr, IReadOnlyList<RecordBody> Records, VoicemailBody? Voicemail)
{
    public long SdkAppId => Cdr.SdkAppId;
    public string SessionId => Cdr.SessionId;
    public bool Answered => Cdr.AcceptTimestamp > 0;
    public int Participants => Cdr.ServeParticipants.Length;

    /// <summary>
    /// The pushes in the order the platform sends them: the CDR when the call ends, then the recordings, then the
    /// voicemail. Every call makes new pushes, each with a new X-TCCC-PUSH-UUID.
    /// </summary>
    public IReadOnlyList<SimulatedPush> Pushes()
    {
        var pushes = new List<SimulatedPush>(2 + Records.Count) { SimulatedPush.Of(Cdr) };
        pushes.AddRange(Records.Select(SimulatedPush.Of));
        if (Voicemail is not null)
        {
            pushes.Add(SimulatedPush.Of(Voicemail));
        }
        return pushes;
    }
}
