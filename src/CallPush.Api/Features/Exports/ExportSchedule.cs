using System.Globalization;
using Cronos;
using CallPush.Api.Persistence;

namespace CallPush.Api.Features.Exports;

/// <summary>Frequencies as cron expressions evaluated in the job's time zone (Cronos handles the daylight saving changes).</summary>
internal static class ExportSchedule
{
    public static readonly string[] Frequencies = ["once", "daily", "weekly", "monthly", "cron"];

    public static TimeZoneInfo? FindZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    /// <summary>Why the job's schedule is not valid, or null.</summary>
    public static string? Validate(ExportJob job)
    {
        if (FindZone(job.TimeZone) is null)
        {
            return $"timeZone '{job.TimeZone}' is not a known IANA time zone (e.g. Asia/Shanghai)";
        }
        if (!Frequencies.Contains(job.Frequency))
        {
            return "frequency must be once, daily, weekly, monthly or cron";
        }
        if (job.At is not null && !TimeOnly.TryParseExact(job.At, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return "at must be a local time HH:mm";
        }
        if (job.Frequency == "weekly" && job.DayOfWeek is not (>= 0 and <= 6))
        {
            return "a weekly job needs dayOfWeek (0 Sunday .. 6 Saturday)";
        }
        if (job.Frequency == "monthly" && job.DayOfMonth is not (>= 1 and <= 28))
        {
            return "a monthly job needs dayOfMonth (1 .. 28)";
        }
        if (job.Frequency == "cron" && ParseCron(job.Cron) is null)
        {
            return "a cron job needs a valid cron expression (5 fields, or 6 with seconds)";
        }
        if (job.StartDate is { } start && job.EndDate is { } end && end < start)
        {
            return "endDate is before startDate";
        }
        return null;
    }

    /// <summary>When the job next runs after <paramref name="after"/>, or null when it never will again.</summary>
    public static DateTimeOffset? NextAfter(ExportJob job, DateTimeOffset after)
    {
        var zone = FindZone(job.TimeZone)!;
        var at = job.At is null ? TimeOnly.MinValue : TimeOnly.ParseExact(job.At, "HH:mm", CultureInfo.InvariantCulture);
        var earliest = job.StartDate is { } start ? ExportDays.StartOf(start, zone) : DateTimeOffset.MinValue;
        if (job.Frequency == "once")
        {
            var moment = job.StartDate is { } day
                ? new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(at), zone), TimeSpan.Zero)
                : after;
            return moment < after ? after : moment;
        }
        var expression = job.Frequency switch
        {
            "daily" => $"{at.Minute} {at.Hour} * * *",
            "weekly" => $"{at.Minute} {at.Hour} * * {job.DayOfWeek}",
            "monthly" => $"{at.Minute} {at.Hour} {job.DayOfMonth} * *",
            _ => job.Cron!,
        };
        var from = after > earliest ? after : earliest;
        var next = ParseCron(expression)!.GetNextOccurrence(from.UtcDateTime, zone);
        if (next is null)
        {
            return null;
        }
        if (job.EndDate is { } end && DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(next.Value, zone)) > end.AddDays(1))
        {
            return null;
        }
        return new DateTimeOffset(next.Value, TimeSpan.Zero);
    }

    private static CronExpression? ParseCron(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return null;
        }
        var format = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        return CronExpression.TryParse(expression, format, out var parsed) ? parsed : null;
    }
}

/// <summary>Days in a time zone as UTC instants: a day runs from its local midnight to the next (23 or 25 hours on a change day).</summary>
internal static class ExportDays
{
    public static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        // Where a clock change skips midnight, the day starts at the first local time that exists.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    public static DateOnly Today(DateTimeOffset now, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
}
