using System.Text.Json;
using CallPush.Api.Answers;
using CallPush.Api.Features.Push;
using CallPush.Simulator.Sessions;

namespace CallPush.Tests.Simulator;

/// <summary>The generator's sessions look like the platform's: pure checks, no service involved.</summary>
public sealed class SessionGeneratorTests
{
    private static readonly List<SimulatedSession> Sessions = Generate(3000, seed: 42);

    private static List<SimulatedSession> Generate(int count, int seed)
    {
        var generator = new SessionGenerator(new SessionGeneratorOptions(), new Random(seed), TimeProvider.System);
        return [.. Enumerable.Range(0, count).Select(_ => generator.Next())];
    }

    [Fact]
    public void Sessions_cover_both_directions_answered_and_not()
    {
        var kinds = Sessions.GroupBy(s => (s.Cdr.Direction, s.Answered)).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(4, kinds.Count);
        Assert.All(kinds.Values, count => Assert.True(count > 100, $"only {count} sessions of a kind"));
        Assert.Equal(Sessions.Count, Sessions.Select(s => s.SessionId).Distinct().Count());
    }

    [Fact]
    public void EndStatusString_matches_whether_the_call_was_answered()
    {
        foreach (var session in Sessions)
        {
            var cdr = session.Cdr;
            if (session.Answered)
            {
                Assert.Equal("ok", cdr.EndStatusString);
                Assert.Equal(cdr.EndedTimestamp - cdr.AcceptTimestamp, cdr.Duration);
                Assert.InRange(cdr.AcceptTimestamp, cdr.StartTimestamp, cdr.EndedTimestamp);
            }
            else
            {
                Assert.Contains(cdr.EndStatusString, cdr.Direction == 0 ? SessionGenerator.InboundUnansweredStatuses : SessionGenerator.OutboundUnansweredStatuses);
                Assert.Equal(0, cdr.AcceptTimestamp);
                Assert.Equal(0, cdr.Duration);
            }
            Assert.True(cdr.StartTimestamp <= cdr.EndedTimestamp);
            Assert.All(cdr.ServeParticipants, p =>
            {
                Assert.InRange(p.RingTimestamp, cdr.StartTimestamp, cdr.EndedTimestamp);
                Assert.InRange(p.EndedTimestamp, p.RingTimestamp, cdr.EndedTimestamp);
                Assert.True(p.AcceptTimestamp == 0 || (p.AcceptTimestamp >= p.RingTimestamp && p.AcceptTimestamp <= p.EndedTimestamp));
            });
        }
        Assert.True(Sessions.Select(s => s.Cdr.EndStatusString).Distinct().Count() >= 10);
    }

    [Fact]
    public void Transfers_produce_two_or_three_participants_chained_by_TransferTo()
    {
        var answered = Sessions.Where(s => s.Answered).ToList();
        var counts = answered.GroupBy(s => s.Participants).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(new[] { 1, 2, 3 }, counts.Keys.Order());
        Assert.True(counts[1] > counts[2] && counts[2] > counts[3]);
        foreach (var session in answered.Where(s => s.Participants > 1))
        {
            var participants = session.Cdr.ServeParticipants;
            Assert.Equal(participants.Length, participants.Select(p => p.Mail).Distinct().Count());
            for (var i = 0; i < participants.Length; i++)
            {
                Assert.Equal(i, participants[i].Sequence);
                Assert.Equal(i < participants.Length - 1 ? participants[i + 1].Mail : string.Empty, participants[i].TransferTo);
                Assert.Equal(i > 0 ? participants[i - 1].Mail : string.Empty, participants[i].TransferFrom);
            }
            Assert.Equal(participants[^1].Mail, session.Cdr.SeatUser!.Mail);
        }
        Assert.All(Sessions.Where(s => !s.Answered), s => Assert.InRange(s.Participants, 0, 1));
    }

    [Fact]
    public void Answered_calls_have_one_recording_per_participant_and_the_customer()
    {
        foreach (var session in Sessions)
        {
            if (!session.Answered)
            {
                Assert.Empty(session.Records);
                continue;
            }
            var customer = session.Cdr.Direction == 0 ? session.Cdr.Caller : session.Cdr.Callee;
            var expected = session.Cdr.ServeParticipants.Select(p => (p.RecordId, p.Mail)).Prepend((session.Cdr.RecordId, customer));
            Assert.Equal(expected, session.Records.Select(r => (r.RecordId, r.EndpointUser)));
            Assert.All(session.Records, r => Assert.Equal(session.SessionId, r.SessionId));
        }
    }

    [Fact]
    public void Voicemails_are_occasional_and_only_for_unanswered_inbound_calls()
    {
        var withVoicemail = Sessions.Where(s => s.Voicemail is not null).ToList();

        Assert.InRange(withVoicemail.Count, 20, Sessions.Count / 5);
        Assert.All(withVoicemail, s =>
        {
            Assert.False(s.Answered);
            Assert.Equal(0, s.Cdr.Direction);
            Assert.Equal(s.Voicemail!.RecordURL, s.Cdr.VoicemailRecordURL);
        });
        Assert.Contains(Sessions, s => s.Cdr.IVRKeyPressedEx is { Length: > 0 });
        Assert.Contains(Sessions, s => s.Cdr.PostIVRKeyPressed is { Length: > 0 });
    }

    [Fact]
    public void Pushes_carry_fresh_uuids_and_bodies_CallPush_reads_as_generated()
    {
        var pushes = Sessions.Take(300).Select(s => (Session: s, Pushes: s.Pushes())).ToList();

        var uuids = pushes.SelectMany(p => p.Pushes).Select(p => p.Uuid).ToList();
        Assert.Equal(uuids.Count, uuids.Distinct().Count());
        foreach (var (session, sessionPushes) in pushes)
        {
            Assert.Equal("action=cdr&version=1", sessionPushes[0].Query);
            var parsed = PushParser.Parse(PushAction.Cdr, sessionPushes[0].Body);
            Assert.Equal(ErrCodes.Ok, parsed.ErrCode);
            var cdr = Assert.IsType<CdrPush>(parsed.Content);
            Assert.Equal(session.SessionId, cdr.SessionId);
            Assert.Equal(session.Participants, cdr.Participants.Count);
            Assert.Equal(session.Cdr.EndStatusString, cdr.EndStatus);
            foreach (var push in sessionPushes.Skip(1))
            {
                Assert.Equal(push.Kind == PushKind.Record ? "action=record&version=1" : "action=voicemail", push.Query);
                var other = PushParser.Parse(push.Kind == PushKind.Record ? PushAction.Record : PushAction.Voicemail, push.Body);
                Assert.Equal(ErrCodes.Ok, other.ErrCode);
                Assert.Equal(session.SessionId, other.SessionId);
            }
        }
        var voicemail = Sessions.First(s => s.Voicemail is not null).Pushes()[^1];
        using var body = JsonDocument.Parse(voicemail.Body);
        Assert.Equal(JsonValueKind.Number, body.RootElement.GetProperty("EndpointUser").ValueKind);
    }
}
