using Cronos;

namespace ComposeGate.Web.Features.Jobs;

/// <summary>
/// Schedules as Hangfire reads them (Cronos): five fields (minute hour day month weekday) or six with seconds first;
/// <c>?</c> is allowed in the day fields, times are UTC. A year field does not exist, and weekdays are written as names
/// (Quartz, which ran the schedules before, numbered them differently).
/// </summary>
public static class CronSchedule
{
    /// <summary>An interval as cron: seconds under a minute, whole minutes under an hour, else hourly (cron steps restart each minute or hour).</summary>
    public static string EverySeconds(int seconds) =>
        seconds < 60 ? $"*/{Math.Max(1, seconds)} * * * * *" : seconds < 3600 ? $"0 */{seconds / 60} * * * *" : "0 0 * * * *";

    /// <summary>Why <paramref name="schedule"/> is not a schedule, or null.</summary>
    public static string? Problem(string schedule)
    {
        var parts = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var fields = parts.Length;
        if (fields == 7)
        {
            return $"'{schedule}' has 7 fields: a year field (Quartz's) does not exist here; drop it (5 fields, or 6 with seconds first).";
        }
        if (fields is not (5 or 6))
        {
            return $"'{schedule}' is not a cron schedule: it needs 5 fields (minute hour day month weekday) or 6 with seconds first, not {fields}.";
        }
        if (parts[^1].Any(char.IsAsciiDigit))
        {
            // Quartz, the scheduler before Hangfire, numbered Sunday 1; cron numbers it 0. A number would move silently.
            return $"'{schedule}' names weekdays by number: write them as names (MON-FRI, SUN), which mean the same in every cron dialect.";
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
}
