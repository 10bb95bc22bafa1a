using Cronos;

namespace ComposeGate.Web.Features.Jobs;

/// <summary>
/// Schedules as Hangfire reads them (Cronos): five fields (minute hour day month weekday) or six with seconds first;
/// <c>?</c> is allowed in the day fields, times are UTC. A year field does not exist.
/// </summary>
public static class CronSchedule
{
    /// <summary>An interval as cron: seconds under a minute, whole minutes under an hour, else hourly (cron steps restart each minute or hour).</summary>
    public static string EverySeconds(int seconds) =>
        seconds < 60 ? $"*/{Math.Max(1, seconds)} * * * * *" : seconds < 3600 ? $"0 */{seconds / 60} * * * *" : "0 0 * * * *";

    /// <summary>Why <paramref name="schedule"/> is not a schedule, or null.</summary>
    public static string? Problem(string schedule)
    {
        var fields = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            return $"'{schedule}' is not a cron schedule: it needs 5 fields (minute hour day month weekday) or 6 with seconds first, not {fields}.";
        }
        try
        {
            CronExpression.Parse(schedule, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            return null;
        }
        catch (CronFormatException e)
        {
            return $"'{schedule}' is not a cron schedule: {e.Message}";
        }
    }

    /// <summary>The next time <paramref name="schedule"/> fires after <paramref name="from"/>, if it ever does.</summary>
    public static DateTimeOffset? Next(string schedule, DateTimeOffset from)
    {
        var format = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        return CronExpression.Parse(schedule, format).GetNextOccurrence(from, TimeZoneInfo.Utc);
    }
}
