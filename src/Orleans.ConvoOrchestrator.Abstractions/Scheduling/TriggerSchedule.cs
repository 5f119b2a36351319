
namespace Orleans.ConvoOrchestrator;

/// <summary>
/// When a trigger fires, as a pure function of its definition: INTERVAL at anchor + k * interval (k &gt;= 1),
/// AT once at max(at, anchor), cron at its occurrences after the anchor; jitter adds a per-fire offset in
/// [0, jitter) derived from the trigger id and the fire, so every silo (and every status query) computes the
/// same instants. EXTERNAL and CONDITION triggers have no schedule.
/// </summary>
public static class TriggerSchedule
{
    /// <summary>Most cron occurrences counted in one gap; beyond it the count is reported as this many.</summary>
    public const int MaxCountedOccurrences = 100_000;

    /// <summary>How far past the instant searched from a next fire is looked for when calendars exclude instants.</summary>
    public static readonly TimeSpan CalendarHorizon = TimeSpan.FromDays(3660);

    /// <summary>
    /// Most excluded spans one search for a next fire jumps over; past it the search stops and says where it got to
    /// (<see cref="Search"/>), so a trigger looks again from there later instead of searching without end.
    /// </summary>
    public const int MaxCalendarSkips = 10_000;

    /// <summary>
    /// The first fire strictly after <paramref name="after"/> that <paramref name="calendars"/> do not exclude, or null
    /// when none is left within <see cref="CalendarHorizon"/> (a calendar that excludes everything: no next fire, and
    /// never an endless search) or none was found within <see cref="MaxCalendarSkips"/> spans.
    /// </summary>
    public static DateTimeOffset? NextFire(Trigger trigger, DateTimeOffset after, ExclusionCalendars? calendars) =>
        Search(trigger, after, calendars).Fire;

    /// <summary>
    /// <see cref="NextFire(Trigger, DateTimeOffset, ExclusionCalendars?)"/>, telling why it found none: when it gave up
    /// after <see cref="MaxCalendarSkips"/> excluded spans short of the horizon, <c>ResumeAt</c> is the instant it
    /// reached (everything before it is excluded), where a search may go on. Excluded spans are jumped over whole, so
    /// a year of nights and weekends costs a few hundred steps.
    /// </summary>
    public static (DateTimeOffset? Fire, DateTimeOffset? ResumeAt) Search(Trigger trigger, DateTimeOffset after, ExclusionCalendars? calendars)
    {
        var next = NextFire(trigger, after);
        if (calendars is null || calendars.IsEmpty) return (next, null);
        var horizon = after < DateTimeOffset.MaxValue - CalendarHorizon ? after + CalendarHorizon : DateTimeOffset.MaxValue;
        for (var skips = 1; next is { } fire && fire <= horizon; skips++)
        {
            if (!calendars.Excludes(fire, out var until)) return (fire, null);
            if (until > horizon) return (null, null);
            if (skips == MaxCalendarSkips) return (null, until);
            next = NextFire(trigger, until.AddTicks(-1)); // the first fire at or after the span's end
        }
        return (null, null);
    }

    /// <summary>
    /// The fires in (<paramref name="handledUpTo"/>, <paramref name="now"/>] that <paramref name="calendars"/> do not
    /// exclude: how many, the latest, and up to when every fire is either one of them or excluded (now, unless the
    /// walk was cut short; with no calendars, <paramref name="handledUpTo"/>). Excluded fires are neither counted nor
    /// due. Counting stops at <see cref="MaxCountedOccurrences"/> steps; the latest is then looked for in the last
    /// stretch before now.
    /// </summary>
    public static (long Count, DateTimeOffset? Latest, DateTimeOffset? HandledTo) Due(Trigger trigger, DateTimeOffset? handledUpTo, DateTimeOffset now,
        ExclusionCalendars? calendars)
    {
        if (calendars is null || calendars.IsEmpty || trigger.Kind is not (TriggerKind.INTERVAL or TriggerKind.Cron))
        {
            var (c, l) = Due(trigger, handledUpTo, now);
            return (c, l, handledUpTo);
        }
        var from = handledUpTo ?? trigger.Anchor ?? now;
        if (from >= now) return (0, null, handledUpTo);
        var (count, latest, reached, complete) = Walk(trigger, from, now, calendars, MaxCountedOccurrences);
        if (complete) return (count, latest, now);
        // Too many to walk: the latest lies in the last stretch that can hold a thousand fires (or a day of cron).
        var stretch = trigger.Kind == TriggerKind.INTERVAL && trigger.Interval is { } iv ? iv * 1000 : TimeSpan.FromDays(1);
        var tail = now - stretch > reached ? now - stretch : reached;
        var (tailCount, tailLatest, _, tailComplete) = Walk(trigger, tail, now, calendars, MaxCountedOccurrences);
        return tailComplete ? (count + tailCount, tailLatest ?? latest, now) : (count, latest, reached);
    }

    // Allowed fires in (from, now], jumping over excluded spans; stops after `budget` steps.
    private static (long Count, DateTimeOffset? Latest, DateTimeOffset Reached, bool Complete) Walk(
        Trigger trigger, DateTimeOffset from, DateTimeOffset now, ExclusionCalendars calendars, int budget)
    {
        long count = 0;
        DateTimeOffset? latest = null;
        var cursor = from;
        for (var steps = 0; steps < budget; steps++)
        {
            if (NextFire(trigger, cursor) is not { } fire || fire > now) return (count, latest, cursor, true);
            if (calendars.Excludes(fire, out var until))
            {
                if (until > now) return (count, latest, cursor, true);
                cursor = until.AddTicks(-1);
                continue;
            }
            count++;
            latest = fire;
            cursor = fire;
        }
        return (count, latest, cursor, false);
    }

    /// <summary>The first fire strictly after <paramref name="after"/>, or null when none is left.</summary>
    public static DateTimeOffset? NextFire(Trigger trigger, DateTimeOffset after)
    {
        var anchor = trigger.Anchor ?? after;
        switch (trigger.Kind)
        {
            case TriggerKind.INTERVAL when trigger.Interval is { } iv && iv > TimeSpan.Zero:
            {
                var k = Math.Max(1, (after - anchor).Ticks / iv.Ticks);
                for (var i = k; ; i++)
                {
                    var fire = IntervalFire(trigger, anchor, iv, i);
                    if (fire > after) return fire;
                }
            }
            case TriggerKind.AT when trigger.At is { } at:
            {
                var fire = AtFire(trigger, at, anchor);
                return fire > after ? fire : null;
            }
            case TriggerKind.Cron:
            {
                var (cron, zone) = CronOf(trigger);
                var from = after > anchor ? after : anchor;
                var next = cron.GetNextOccurrence(from.UtcDateTime, zone, inclusive: false);
                return next is { } n ? new DateTimeOffset(n, TimeSpan.Zero) : null;
            }
            default:
                return null;
        }
    }

    /// <summary>
    /// The fires in (<paramref name="handledUpTo"/>, <paramref name="now"/>]: how many, and the latest.
    /// <paramref name="handledUpTo"/> null means since the anchor.
    /// </summary>
    public static (long Count, DateTimeOffset? Latest) Due(Trigger trigger, DateTimeOffset? handledUpTo, DateTimeOffset now)
    {
        var anchor = trigger.Anchor ?? now;
        switch (trigger.Kind)
        {
            case TriggerKind.INTERVAL when trigger.Interval is { } iv && iv > TimeSpan.Zero:
            {
                var upToNow = FiredBy(trigger, anchor, iv, now);
                var before = handledUpTo is { } h ? FiredBy(trigger, anchor, iv, h) : 0;
                var count = upToNow - before;
                return count > 0 ? (count, IntervalFire(trigger, anchor, iv, upToNow)) : (0, null);
            }
            case TriggerKind.AT when trigger.At is { } at:
            {
                var fire = AtFire(trigger, at, anchor);
                var open = handledUpTo is null || fire > handledUpTo;
                return open && fire <= now ? (1, fire) : (0, null);
            }
            case TriggerKind.Cron:
            {
                var (cron, zone) = CronOf(trigger);
                var from = handledUpTo is { } h && h > anchor ? h : anchor;
                long count = 0;
                DateTimeOffset? latest = null;
                foreach (var o in cron.GetOccurrences(from.UtcDateTime, now.UtcDateTime, zone, fromInclusive: false, toInclusive: true))
                {
                    latest = new DateTimeOffset(o, TimeSpan.Zero);
                    if (++count >= MaxCountedOccurrences) break;
                }
                if (count >= MaxCountedOccurrences)
                    latest = cron.GetOccurrences(now.UtcDateTime.AddDays(-1), now.UtcDateTime, zone, true, true).Select(o => (DateTimeOffset?)new DateTimeOffset(o, TimeSpan.Zero)).LastOrDefault() ?? latest;
                return (count, latest);
            }
            default:
                return (0, null);
        }
    }

    /// <summary>The jitter offset of the fire identified by <paramref name="fireKey"/>, in [0, jitter).</summary>
    public static TimeSpan JitterOf(Trigger trigger, long fireKey)
    {
        if (trigger.Jitter is not { } jitter || jitter <= TimeSpan.Zero) return TimeSpan.Zero;
        // Stable across processes, so every silo computes the same jitter for a fire.
        var hash = StableHash.Of(trigger.Id.Value ?? string.Empty, fireKey);
        var unit = (hash >> 11) * (1.0 / (1UL << 53));
        return TimeSpan.FromTicks((long)(jitter.Ticks * unit));
    }

    private static DateTimeOffset IntervalFire(Trigger t, DateTimeOffset anchor, TimeSpan iv, long k) =>
        anchor + TimeSpan.FromTicks(iv.Ticks * k) + JitterOf(t, k);

    // How many fires k >= 1 happen at or before x. Jitter is shorter than the interval, so only the last
    // schedule point's fire can fall after x.
    private static long FiredBy(Trigger t, DateTimeOffset anchor, TimeSpan iv, DateTimeOffset x)
    {
        if (x < anchor) return 0;
        var k = (x - anchor).Ticks / iv.Ticks;
        if (k >= 1 && IntervalFire(t, anchor, iv, k) > x) k--;
        return Math.Max(0, k);
    }

    private static DateTimeOffset AtFire(Trigger t, DateTimeOffset at, DateTimeOffset anchor) =>
        (at > anchor ? at : anchor) + JitterOf(t, 0);

    private static (Cronos.CronExpression Cron, TimeZoneInfo Zone) CronOf(Trigger t) =>
        (CronParser.Parse(t.Cron).Unwrap(), CronParser.Zone(t.TimeZone).Unwrap());
}
