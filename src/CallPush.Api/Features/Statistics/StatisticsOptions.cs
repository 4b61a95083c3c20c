using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace CallPush.Api.Features.Statistics;

/// <summary><c>CallPush__Statistics__*</c>: service-level thresholds and how the statistics worker polls.</summary>
public sealed class StatisticsOptions
{
    public const string Section = "CallPush:Statistics";

    /// <summary>Default t1: a call answered within this many seconds of entering the queue meets the service level.</summary>
    [Range(0, 86_400)]
    public int T1Seconds { get; set; } = 20;

    /// <summary>Default t2: a call abandoned within this many seconds of entering the queue is a short abandon.</summary>
    [Range(0, 86_400)]
    public int T2Seconds { get; set; } = 10;

    /// <summary>Per skill group id: <c>CallPush__Statistics__Thresholds__&lt;skillGroupId&gt;__T1Seconds</c> (and T2Seconds).</summary>
    public Dictionary<string, SkillGroupThresholds> Thresholds { get; set; } = [];

    /// <summary>How often an idle worker looks for changed intervals.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Changed intervals taken per transaction.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 2_000;

    public IEnumerable<string> Problems()
    {
        foreach (var (id, thresholds) in Thresholds)
        {
            if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                yield return $"CallPush__Statistics__Thresholds__{id}: '{id}' is not a skill group id (a whole number)";
            }
            if (thresholds.T1Seconds is < 0 or > 86_400 || thresholds.T2Seconds is < 0 or > 86_400)
            {
                yield return $"CallPush__Statistics__Thresholds__{id}: T1Seconds and T2Seconds must be between 0 and 86400";
            }
        }
    }

    /// <summary>The configured thresholds as the recompute statements take them, with the defaults filled in.</summary>
    internal (long[] Ids, int[] T1, int[] T2) PerSkillGroup()
    {
        var rows = Thresholds.Select(t => (Id: long.Parse(t.Key, CultureInfo.InvariantCulture),
            T1: t.Value.T1Seconds ?? T1Seconds, T2: t.Value.T2Seconds ?? T2Seconds)).ToList();
        return ([.. rows.Select(r => r.Id)], [.. rows.Select(r => r.T1)], [.. rows.Select(r => r.T2)]);
    }
}

public sealed class SkillGroupThresholds
{
    public int? T1Seconds { get; set; }
    public int? T2Seconds { get; set; }
}
