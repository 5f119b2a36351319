using Cronos;

namespace Orleans.ConvoOrchestrator;

/// <summary>
/// Whether one calendar rule covers an instant, and until when: the end of the excluded span that holds it, so a
/// schedule jumps over a whole span (a night, a holiday, a range of years) in one step instead of fire by fire.
/// Dates and times of day are the instant's wall clock in the calendar's zone, so 09:00-17:00 stays 09:00-17:00
/// local across DST changes.
/// </summary>
public static class CalendarRuleSpans
{
    // A cron rule's span is found by stepping unit by unit (second, minute or hour); past this many steps the rest is
    // found at the next look, which keeps each look cheap.
    private const int MaxCronSteps = 60;

    /// <summary>The end of the span of <paramref name="rule"/> holding <paramref name="instant"/>, or null when the rule does not cover it.</summary>
    /// <param name="rule">The rule (valid).</param>
    /// <param name="instant">The instant.</param>
    /// <param name="zone">The calendar's time zone.</param>
    /// <param name="cron">The parsed <see cref="CalendarRule.Cron"/> of a Cron rule.</param>
    public static DateTimeOffset? ExcludedUntil(CalendarRule rule, DateTimeOffset instant, TimeZoneInfo zone, CronExpression? cron)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        switch (rule.Kind)
        {
            case CalendarRuleKind.Date when rule.Date == date:
            case CalendarRuleKind.Annual when rule.Month == date.Month && rule.Day == date.Day:
                return StartOfNextDay(date, zone, instant);
            case CalendarRuleKind.DateRange when rule.From <= date && date <= rule.To:
                return StartOfNextDay(rule.To!.Value, zone, instant);
            case CalendarRuleKind.DailyWindow or CalendarRuleKind.OutsideDailyWindow:
                return WindowSpan(rule, local, date, zone, instant);
            case CalendarRuleKind.Cron when cron is not null:
                return CronSpan(rule, cron, instant, zone);
            default:
                return null;
        }
    }

    private static DateTimeOffset? WindowSpan(CalendarRule rule, DateTimeOffset local, DateOnly date, TimeZoneInfo zone, DateTimeOffset instant)
    {
        var (start, end) = (rule.Start!.Value, rule.End!.Value);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var spansMidnight = start > end;
        var inside = spansMidnight ? time >= start || time < end : time >= start && time < end;
        if (rule.Kind == CalendarRuleKind.DailyWindow)
        {
            if (!inside) return null;
            // The window's end: today's, or tomorrow's when it spans midnight and started today.
            var endDate = spansMidnight && time >= start ? date.AddDays(1) : date;
            return At(endDate, end, zone, instant);
        }
        if (inside) return null;
        // Outside the window: excluded until it opens, today or tomorrow.
        var startDate = !spansMidnight && time >= end ? date.AddDays(1) : date;
        return At(startDate, start, zone, instant);
    }

    private static DateTimeOffset? CronSpan(CalendarRule rule, CronExpression cron, DateTimeOffset instant, TimeZoneInfo zone)
    {
        var unit = UnitOf(rule.Cron!);
        var cursor = UnitStart(instant, unit, zone);
        if (!Matches(cron, cursor.UtcDateTime, zone)) return null;
        for (var i = 0; i < MaxCronSteps && Matches(cron, cursor.UtcDateTime, zone); i++) cursor = NextUnit(cursor, unit, zone);
        return cursor;
    }

    private enum CronUnit { Second, Minute, Hour }

    // The finest unit the expression can tell apart: a second or a minute, or coarser when the finer fields are all
    // "*" (every second of a matching minute matches too), so "* * * * 0,6" is walked an hour at a time, not a minute.
    private static CronUnit UnitOf(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (minute, hourAt) = fields.Length == 6 ? (1, 2) : (0, 1);
        if (fields.Length == 6 && fields[0] != "*") return CronUnit.Second;
        if (fields[minute] != "*") return CronUnit.Minute;
        return hourAt < fields.Length ? CronUnit.Hour : CronUnit.Minute;
    }

    // Where the unit holding the instant starts. Offsets in use are whole quarter hours, so minutes start on the same
    // instants in every zone; hours start on the zone's own wall-clock hours.
    private static DateTimeOffset UnitStart(DateTimeOffset instant, CronUnit unit, TimeZoneInfo zone)
    {
        var utc = instant.UtcTicks;
        return unit switch
        {
            CronUnit.Second => new DateTimeOffset(utc - utc % TimeSpan.TicksPerSecond, TimeSpan.Zero),
            CronUnit.Minute => new DateTimeOffset(utc - utc % TimeSpan.TicksPerMinute, TimeSpan.Zero),
            _ => new DateTimeOffset(utc - TimeZoneInfo.ConvertTime(instant, zone).TimeOfDay.Ticks % TimeSpan.TicksPerHour, TimeSpan.Zero),
        };
    }

    private static DateTimeOffset NextUnit(DateTimeOffset unitStart, CronUnit unit, TimeZoneInfo zone) => unit switch
    {
        CronUnit.Second => unitStart.AddSeconds(1),
        CronUnit.Minute => unitStart.AddMinutes(1),
        // The next wall-clock hour; across a DST change that is where the clocks land, 1 or 2 real hours on.
        _ => UnitStart(unitStart.AddMinutes(60), unit, zone) is var next && next > unitStart ? next : unitStart.AddMinutes(60),
    };

    private static bool Matches(CronExpression cron, DateTime unitStartUtc, TimeZoneInfo zone) =>
        cron.GetNextOccurrence(unitStartUtc, zone, inclusive: true) == unitStartUtc;

    // The last day there is ("9999-12-31", for "from now on") excludes to the end of time.
    private static DateTimeOffset StartOfNextDay(DateOnly date, TimeZoneInfo zone, DateTimeOffset after) =>
        date == DateOnly.MaxValue ? DateTimeOffset.MaxValue : At(date.AddDays(1), TimeOnly.MinValue, zone, after);

    // Never at or before the instant being judged, so a schedule always moves on.
    private static DateTimeOffset At(DateOnly date, TimeOnly time, TimeZoneInfo zone, DateTimeOffset after) =>
        ZoneTime.FirstAfter(date.ToDateTime(time), zone, after) ?? after.AddTicks(1);
}
