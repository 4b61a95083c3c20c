using CallPush.Simulator.Manifest;
using CallPush.Simulator.Sending;
using CallPush.Simulator.Sessions;

namespace CallPush.Simulator.Load;

/// <summary>Delivers one session's pushes in the platform's order, with the configured faults mixed in.</summary>
internal sealed class SessionDelivery(PushClient client, FaultOptions faults)
{
    public async Task<DeliveredSession> DeliverAsync(SimulatedSession session, Random random, CancellationToken cancellationToken)
    {
        var pushes = session.Pushes();
        var cdr = pushes[0];
        var ordered = new List<SimulatedPush>(pushes.Count + 1);
        if (Happens(random, faults.RecordsFirst) && pushes.Any(p => p.Kind == PushKind.Record))
        {
            ordered.AddRange(pushes.Where(p => p.Kind == PushKind.Record));
            ordered.Add(cdr);
            ordered.AddRange(pushes.Where(p => p.Kind == PushKind.Voicemail));
        }
        else
        {
            ordered.AddRange(pushes);
        }
        if (Happens(random, faults.CdrRepushes))
        {
            ordered.Add(cdr.AsRepush());
        }

        var deliveries = new List<PushDelivery>(ordered.Count + 1);
        foreach (var push in ordered)
        {
            if (Happens(random, faults.Drops))
            {
                deliveries.Add(new PushDelivery(push, []));
                continue;
            }
            if (Happens(random, faults.Duplicates))
            {
                deliveries.AddRange(await Task.WhenAll(client.SendAsync(push, cancellationToken), client.SendAsync(push, cancellationToken)));
            }
            else
            {
                deliveries.Add(await client.SendAsync(push, cancellationToken));
            }
        }
        return new DeliveredSession(session, deliveries);
    }

    private static bool Happens(Random random, double share) => share > 0 && random.NextDouble() < share;
}

internal sealed record DeliveredSession(SimulatedSession Session, IReadOnlyList<PushDelivery> Deliveries)
{
    public ManifestSession ToManifest() => new(
        Session.SdkAppId,
        Session.SessionId,
        Session.Cdr.Direction,
        Session.Answered,
        Session.Cdr.EndStatusString,
        Session.Participants,
        Session.Records.Count,
        Session.Voicemail is null ? 0 : 1,
        [.. Deliveries.GroupBy(d => d.Push.Uuid).Select(g => new ManifestPush(
            g.First().Push.Action,
            g.Key,
            g.Any(d => d.Acknowledged),
            g.Count(),
            g.Sum(d => d.Attempts.Count)))]);
}
