namespace CallPush.Simulator.Load;

/// <summary>What the real sender does on a bad day, each as the share of pushes (or sessions) it happens to.</summary>
internal sealed record FaultOptions
{
    /// <summary>A push delivered twice at the same time with the same X-TCCC-PUSH-UUID (a retry racing the original).</summary>
    public double Duplicates { get; init; }

    /// <summary>A session whose recording pushes arrive before its CDR.</summary>
    public double RecordsFirst { get; init; }

    /// <summary>A session whose CDR is pushed again later: same SessionId and body, a new X-TCCC-PUSH-UUID.</summary>
    public double CdrRepushes { get; init; }

    /// <summary>A push never sent: the platform lost it, and only reconciliation can find the session again.</summary>
    public double Drops { get; init; }

    public static FaultOptions None { get; } = new();
}
