using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Triggers;

/// <summary>
/// A trigger's way through its schedule, Orleans-free: what is due at an instant (fire, miss, coalesce), the edges of
/// a condition, the count of fires and the next fire. It changes only the <see cref="TriggerState"/> it is given
/// (the grain's persistent state replaces that object when it is read or cleared, so none is kept here); the grain
/// sends the fires, stores the state and arms its timer.
/// </summary>
internal static class TriggerProgress
{
    /// <summary>A new definition takes effect at <paramref name="now"/>.</summary>
    /// <remarks>
    /// Recurring schedules start at the attach: fires of an anchor in the past that fell before it are not misses.
    /// An AT in the past still fires once, at once.
    /// </remarks>
    public static void Begin(this TriggerState state, Trigger definition, DateTimeOffset now)
    {
        state.Definition = definition;
        if (definition.Kind is TriggerKind.INTERVAL or TriggerKind.Cron) state.HandledUpTo = now;
    }

    /// <summary>
    /// Deals with every fire due at <paramref name="now"/>: the plan says which one (if any) fires and how many are
    /// missed; both are counted here. Instants <paramref name="calendars"/> exclude are neither. Null when nothing was due.
    /// </summary>
    public static FirePlan? TakeDue(this TriggerState state, Trigger definition, DateTimeOffset now, TimeSpan misfireThreshold,
        ExclusionCalendars? calendars = null)
    {
        var plan = MisfirePlanner.Plan(definition, state.HandledUpTo, now, misfireThreshold, calendars);
        if (plan.HandledUpTo == state.HandledUpTo) return null;
        state.MissCount += plan.Missed;
        state.HandledUpTo = plan.HandledUpTo;
        foreach (var caughtUp in plan.CatchUp ?? []) state.Fired(now, caughtUp);
        if (plan.FireFor is { } scheduled) state.Fired(now, scheduled);
        return plan;
    }

    /// <summary>The most fires one call of <see cref="TakeAhead"/> takes (a lead far longer than the interval).</summary>
    public const int MaxAhead = 1000;

    /// <summary>
    /// Takes the fires due in (<paramref name="now"/>, <paramref name="now"/> + <paramref name="lead"/>], in order, each
    /// as the on-time fire of its own instant (counted as a fire; never a miss), so that its job can be admitted before
    /// the instant and started at it (docs/adr/0012-admit-fires-ahead.md). Call after <see cref="TakeDue"/> has dealt with
    /// what is due at <paramref name="now"/>: misses are judged there, against the clock, exactly as without a lead.
    /// Empty when the lead is zero, the trigger inactive or paused, or nothing falls in the lead.
    /// </summary>
    public static List<DateTimeOffset> TakeAhead(this TriggerState state, Trigger definition, DateTimeOffset now, TimeSpan lead,
        TimeSpan misfireThreshold, ExclusionCalendars? calendars = null)
    {
        var fires = new List<DateTimeOffset>();
        if (lead <= TimeSpan.Zero || !definition.Active || state.Paused) return fires;
        var horizon = now + lead;
        for (var i = 0; i < MaxAhead; i++)
        {
            // Past-due fires are TakeDue's: only an instant after now is taken here.
            if (state.NextWake(definition, now, calendars) is not { } next || next <= now || next > horizon) break;
            // Planned at its own instant, the fire is exactly on time, and nothing lies between it and the last one dealt with.
            if (state.TakeDue(definition, next, misfireThreshold, calendars) is not { } plan) break;
            if (plan.FireFor is { } fire) fires.Add(fire);
            state.LastFiredAt = now; // taken now; the fire still stands for its instant
        }
        return fires;
    }

    /// <summary>
    /// A condition was evaluated: true when its value changed (the state then needs writing); <paramref name="fire"/>
    /// is true when it rose, which is a fire (counted here).
    /// </summary>
    public static bool TakeCondition(this TriggerState state, bool value, DateTimeOffset now, out bool fire)
    {
        fire = false;
        if (value == state.ConditionValue) return false;
        state.ConditionValue = value;
        if (value)
        {
            state.Fired(now, now);
            fire = true;
        }
        return true;
    }

    /// <summary>A fire at <paramref name="now"/>, standing for <paramref name="scheduledFor"/> when it was scheduled.</summary>
    public static void Fired(this TriggerState state, DateTimeOffset now, DateTimeOffset? scheduledFor = null)
    {
        state.FireCount++;
        state.LastFiredAt = now;
        if (scheduledFor is { } scheduled) state.LastScheduledFor = scheduled;
    }

    /// <summary>
    /// Up to <paramref name="count"/> fires from <paramref name="now"/> on, in order, as they will be made (jitter,
    /// time zone and calendars applied: all are functions of the definitions and the fire). Empty when none is left or
    /// the trigger has no schedule (EXTERNAL, CONDITION), is inactive or paused.
    /// </summary>
    public static List<DateTimeOffset> NextFires(this TriggerState state, Trigger definition, DateTimeOffset now, int count,
        ExclusionCalendars? calendars = null)
    {
        var fires = new List<DateTimeOffset>(Math.Min(count, 64));
        var next = state.NextFire(definition, now, calendars);
        while (next is { } fire && fires.Count < count)
        {
            fires.Add(fire);
            next = FindNext(definition, fire, calendars);
        }
        return fires;
    }

    /// <summary>
    /// The next fire after <paramref name="now"/> that <paramref name="calendars"/> allow, or one due and not yet made;
    /// null when none is left.
    /// </summary>
    public static DateTimeOffset? NextFire(this TriggerState state, Trigger definition, DateTimeOffset now, ExclusionCalendars? calendars = null)
    {
        if (!definition.Active || state.Paused) return null;
        var (pending, latest, _) = TriggerSchedule.Due(definition, state.HandledUpTo, now, calendars);
        if (pending > 0) return latest;
        var after = state.HandledUpTo is { } handled && handled > now ? handled : now;
        return FindNext(definition, after, calendars);
    }

    // For status and previews a search cut short goes on a few times (a week of excluded seconds is ~10,000 spans);
    // the trigger's own wake-ups go on from wherever one search stopped (NextWake), so they need no such bound.
    private const int PreviewSearchRounds = 10;

    private static DateTimeOffset? FindNext(Trigger definition, DateTimeOffset after, ExclusionCalendars? calendars)
    {
        for (var round = 0; round < PreviewSearchRounds; round++)
        {
            var (fire, resumeAt) = TriggerSchedule.Search(definition, after, calendars);
            if (fire is not null || resumeAt is not { } resume) return fire;
            after = resume.AddTicks(-1);
        }
        return null;
    }

    /// <summary>
    /// When the trigger must look at the clock next: its next fire or, when calendars exclude so much that the search
    /// stopped short of one, the instant it reached (a wake-up that fires nothing and searches on). Null: nothing is left.
    /// </summary>
    public static DateTimeOffset? NextWake(this TriggerState state, Trigger definition, DateTimeOffset now, ExclusionCalendars? calendars = null)
    {
        if (!definition.Active || state.Paused) return null;
        var (pending, latest, _) = TriggerSchedule.Due(definition, state.HandledUpTo, now, calendars);
        if (pending > 0) return latest;
        var after = state.HandledUpTo is { } handled && handled > now ? handled : now;
        var (fire, resumeAt) = TriggerSchedule.Search(definition, after, calendars);
        return fire ?? resumeAt;
    }

    /// <summary>
    /// The calendars in force change at <paramref name="now"/>: every fire up to now was dealt with under the old ones
    /// (fired, missed or excluded), so the new ones judge only what comes after; a removed exclusion does not turn
    /// past instants into misfires.
    /// </summary>
    public static void CalendarsChanged(this TriggerState state, Trigger definition, DateTimeOffset now)
    {
        if (definition.Kind is TriggerKind.INTERVAL or TriggerKind.Cron && (state.HandledUpTo is null || state.HandledUpTo < now)) state.HandledUpTo = now;
    }
}
