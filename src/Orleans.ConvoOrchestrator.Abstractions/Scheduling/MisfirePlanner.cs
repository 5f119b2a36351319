namespace Orleans.ConvoOrchestrator;

/// <summary>
/// Decides what to fire for the fires due since the last one dealt with. The latest fires if it is on time (at most
/// <c>threshold</c> late). The earlier ones, and the latest when even it is late, are missed: the trigger's
/// <see cref="MisfirePolicy"/> says whether one coalesced fire stands for them (<see cref="MisfirePolicy.Coalesce"/>),
/// none does (<see cref="MisfirePolicy.Skip"/>) or each fires (<see cref="MisfirePolicy.RunAll"/>), and its
/// <see cref="Trigger.CatchUpWindow"/> how far back a missed fire may lie and still run. Every miss that does not
/// run is counted.
/// </summary>
public static class MisfirePlanner
{
    /// <summary>The most missed fires <see cref="MisfirePolicy.RunAll"/> makes at one wake-up (the latest ones).</summary>
    public const int MaxCatchUp = 1000;

    /// <summary>Plans for <paramref name="now"/>; instants <paramref name="calendars"/> exclude are neither fired nor missed.</summary>
    public static FirePlan Plan(Trigger trigger, DateTimeOffset? handledUpTo, DateTimeOffset now, TimeSpan threshold, ExclusionCalendars? calendars = null)
    {
        var (count, latest, handledTo) = TriggerSchedule.Due(trigger, handledUpTo, now, calendars);
        // Nothing allowed was due: the excluded fires up to handledTo are dealt with all the same.
        if (count == 0 || latest is not { } last) return new FirePlan(null, false, 0, handledTo);
        var onTime = now - last <= threshold;
        if (trigger.Misfire == MisfirePolicy.RunAll) return RunAll(trigger, handledUpTo, now, count, last, onTime, calendars);
        if (onTime) return new FirePlan(last, false, count - 1, last);
        var withinWindow = trigger.CatchUpWindow is not { } window || now - last <= window;
        return trigger.Misfire == MisfirePolicy.Coalesce && withinWindow
            ? new FirePlan(last, true, count, last)
            : new FirePlan(null, false, count, last);
    }

    // Every missed fire within the window runs, oldest first; the latest last, as the plan's fire.
    private static FirePlan RunAll(Trigger trigger, DateTimeOffset? handledUpTo, DateTimeOffset now, long count, DateTimeOffset last, bool onTime,
        ExclusionCalendars? calendars)
    {
        var from = now - (trigger.CatchUpWindow ?? TimeSpan.Zero);
        if (!onTime && last < from) return new FirePlan(null, false, count, last);
        // Only the span that can hold the last MaxCatchUp fires is walked, however long the window: consecutive
        // INTERVAL fires are about an interval apart, Cron fires at least a second.
        var densest = trigger.Kind == TriggerKind.INTERVAL && trigger.Interval is { } iv ? iv * (MaxCatchUp + 1) : TimeSpan.FromSeconds(MaxCatchUp);
        if (last - densest > from) from = last - densest;
        // Fires at or after the window's start, and after what was handled; the last MaxCatchUp of them are kept.
        var after = handledUpTo is { } h && h >= from ? h : from - TimeSpan.FromTicks(1);
        var kept = new Queue<DateTimeOffset>();
        for (var next = TriggerSchedule.NextFire(trigger, after, calendars); next is { } fire && fire < last; next = TriggerSchedule.NextFire(trigger, fire, calendars))
        {
            if (kept.Count == MaxCatchUp - 1) kept.Dequeue();
            kept.Enqueue(fire);
        }
        var caughtUp = kept.ToList();
        return new FirePlan(last, false, count - 1 - caughtUp.Count, last, caughtUp);
    }
}
