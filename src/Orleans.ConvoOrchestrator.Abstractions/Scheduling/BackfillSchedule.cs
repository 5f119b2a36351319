using System.Globalization;

namespace Orleans.ConvoOrchestrator;

/// <summary>
/// The fires a trigger would have made in a past range [from, to), as a pure function of its definition, for a
/// backfill: INTERVAL at anchor + k * interval for every whole k (also before the anchor: a backfill is usually for a
/// time before the trigger existed), Cron at its occurrences in its time zone, AT at its instant; jitter as live fires
/// have it, and instants the calendars exclude left out. The listing stops at a bound and says where to go on.
/// </summary>
public static class BackfillSchedule
{
    /// <summary>Most excluded spans one plan jumps over; past it the plan is cut where the search got to.</summary>
    public const int MaxCalendarSkips = TriggerSchedule.MaxCalendarSkips;

    /// <summary>
    /// Refuses a backfill that cannot be made: a trigger without a schedule (EXTERNAL, CONDITION), <paramref name="from"/>
    /// not before <paramref name="to"/>, <paramref name="to"/> after <paramref name="now"/> (only past fires are
    /// backfilled), or a range longer than <paramref name="maxRange"/>. VALIDATION, with the reason.
    /// </summary>
    public static Result Validate(Trigger trigger, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, TimeSpan maxRange)
    {
        if (trigger.Kind is not (TriggerKind.AT or TriggerKind.INTERVAL or TriggerKind.Cron))
            return Result.Err(ErrorKind.VALIDATION, $"trigger '{trigger.Id}' is {trigger.Kind}: it has no schedule to backfill (only AT, INTERVAL and Cron triggers have one)");
        if (from >= to) return Result.Err(ErrorKind.VALIDATION, $"from ({Text(from)}) must be before to ({Text(to)})");
        if (to > now) return Result.Err(ErrorKind.VALIDATION, $"to ({Text(to)}) is in the future (now is {Text(now)}); a backfill runs past fires only");
        if (to - from > maxRange)
            return Result.Err(ErrorKind.VALIDATION, $"the range from {Text(from)} to {Text(to)} is {Text(to - from)} long; a backfill covers at most {Text(maxRange)} (BackfillMaxRange)");
        return Result.Ok();
    }

    /// <summary>
    /// The fire instants of <paramref name="trigger"/> in [<paramref name="from"/>, <paramref name="to"/>) that
    /// <paramref name="calendars"/> do not exclude, in order, at most <paramref name="maxFires"/>. Cut (with where to go
    /// on) when the range holds more, or when its calendars need more than <see cref="MaxCalendarSkips"/> jumps.
    /// </summary>
    public static BackfillPlan Plan(Trigger trigger, DateTimeOffset from, DateTimeOffset to, ExclusionCalendars? calendars, int maxFires)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFires, 1);
        var instants = new List<DateTimeOffset>();
        if (from >= to) return new BackfillPlan(instants, null);
        // As live fires: calendars apply to INTERVAL and Cron triggers only.
        var exclusions = calendars is { IsEmpty: false } && trigger.Kind is TriggerKind.INTERVAL or TriggerKind.Cron ? calendars : null;
        var firstAtOrAfter = FirstAtOrAfter(trigger, from);
        var skips = 0;
        var cursor = from;
        while (firstAtOrAfter(cursor) is { } fire && fire < to)
        {
            if (exclusions is not null && exclusions.Excludes(fire, out var until))
            {
                if (until >= to) break;
                // Everything before the span's end is listed or excluded: a later backfill may start there.
                if (++skips >= MaxCalendarSkips) return new BackfillPlan(instants, until);
                cursor = until;
                continue;
            }
            if (instants.Count == maxFires) return new BackfillPlan(instants, fire);
            instants.Add(fire);
            cursor = fire.AddTicks(1);
        }
        return new BackfillPlan(instants, null);
    }

    // The trigger's first fire at or after an instant, or null when it has none left (or no schedule).
    private static Func<DateTimeOffset, DateTimeOffset?> FirstAtOrAfter(Trigger trigger, DateTimeOffset from)
    {
        switch (trigger.Kind)
        {
            case TriggerKind.INTERVAL when trigger.Interval is { } iv && iv > TimeSpan.Zero:
            {
                var anchor = trigger.Anchor ?? from;
                return x =>
                {
                    // Fire k lies in [anchor + k * iv, anchor + (k + 1) * iv) (jitter is shorter than the interval), so
                    // the first at or after x is fire k or k + 1, k the schedule point at or before x.
                    var k = FloorDiv((x - anchor).Ticks, iv.Ticks);
                    var fire = IntervalFire(trigger, anchor, iv, k);
                    return fire >= x ? fire : IntervalFire(trigger, anchor, iv, k + 1);
                };
            }
            case TriggerKind.Cron:
            {
                var cron = CronParser.Parse(trigger.Cron).Unwrap();
                var zone = CronParser.Zone(trigger.TimeZone).Unwrap();
                return x => cron.GetNextOccurrence(x.UtcDateTime, zone, inclusive: true) is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;
            }
            case TriggerKind.AT when trigger.At is { } at:
            {
                // The instant the definition names (a live AT attached after it fired at the attach instead).
                var fire = at + TriggerSchedule.JitterOf(trigger, 0);
                return x => fire >= x ? fire : null;
            }
            default:
                return static _ => null;
        }
    }

    // Jitter keyed by k, as live fires are: a backfilled instant is the one the trigger would have fired at.
    private static DateTimeOffset IntervalFire(Trigger trigger, DateTimeOffset anchor, TimeSpan iv, long k) =>
        anchor + TimeSpan.FromTicks(iv.Ticks * k) + TriggerSchedule.JitterOf(trigger, k);

    private static long FloorDiv(long a, long b) => a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0);

    private static string Text(DateTimeOffset instant) => instant.ToString("O", CultureInfo.InvariantCulture);

    private static string Text(TimeSpan span) => span.ToString("c", CultureInfo.InvariantCulture);
}
