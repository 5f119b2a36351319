namespace Orleans.ConvoOrchestrator;

/// <summary>
/// Decides what to fire for the fires due since the last one dealt with: the latest, if it is on time
/// (at most <c>threshold</c> late), and the earlier ones count as missed; when even the latest is late, all
/// count as missed and the trigger's <see cref="MisfirePolicy"/> says whether one coalesced fire stands for
/// them. Never a burst.
/// </summary>
public static class MisfirePlanner
{
    /// <summary>Plans for <paramref name="now"/>.</summary>
    public static FirePlan Plan(Trigger trigger, DateTimeOffset? handledUpTo, DateTimeOffset now, TimeSpan threshold)
    {
        var (count, latest) = TriggerSchedule.Due(trigger, handledUpTo, now);
        if (count == 0 || latest is not { } last) return new FirePlan(null, false, 0, handledUpTo);
        if (now - last <= threshold) return new FirePlan(last, false, count - 1, last);
        return trigger.Misfire == MisfirePolicy.Coalesce
            ? new FirePlan(last, true, count, last)
            : new FirePlan(null, false, count, last);
    }
}
