using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>When an event runs next: the earliest next fire of its active, unpaused triggers.</summary>
internal static class EventNextRun
{
    /// <summary>
    /// Found from the triggers' definitions: schedules are pure functions of them (anchor, interval, cron, jitter), so
    /// no trigger grain is asked, except those with calendars, which live in other grains and change on their own. A
    /// trigger that cannot answer is left out (<paramref name="unanswered"/> is told).
    /// </summary>
    public static async Task<DateTimeOffset?> EarliestAsync(EventState state, DateTimeOffset now, IGrainFactory grains, Action<Exception, TriggerId> unanswered)
    {
        DateTimeOffset? earliest = null;
        List<TriggerId>? withCalendars = null;
        foreach (var trigger in state.Subscriptions.Values)
        {
            if (!trigger.Active || state.PausedTriggers.Contains(trigger.Id.Value)) continue;
            if (trigger.HasCalendars)
            {
                (withCalendars ??= []).Add(trigger.Id);
                continue;
            }
            if (TriggerSchedule.NextFire(trigger, now) is not { } next) continue;
            if (earliest is null || next < earliest) earliest = next;
        }
        foreach (var id in withCalendars ?? [])
        {
            try
            {
                if ((await grains.GetGrain<ITriggerGrain>(id.Value).StatusAsync()) is { IsOk: true } status
                    && status.Unwrap().NextFire is { } next && (earliest is null || next < earliest)) earliest = next;
            }
            catch (Exception ex)
            {
                unanswered(ex, id);
            }
        }
        return earliest;
    }
}
