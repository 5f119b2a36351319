using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Runtime.Triggers;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// One event's share of a trigger's backfill: each past instant queued once, in order, as a fire with the instant's
/// backfill key (<see cref="BackfillKeys"/>), so a repeat of the backfill, or its retry after a lost silo, runs no
/// instant twice. Called from the event grain's turns only.
/// </summary>
internal sealed class BackfillIntake(EventId eventId, IJobStore store, JobIntake intake, MetricsCollector metrics, TimeProvider clock, ILogger logger)
{
    /// <summary>
    /// Queues <paramref name="instants"/> (oldest first) of <paramref name="triggerId"/>. <paramref name="refusal"/>
    /// says why the event takes none now (null when it takes them); <paramref name="current"/> is its definition and
    /// state, read again after each await.
    /// </summary>
    public async Task<BackfillTally> RunAsync(TriggerId triggerId, List<DateTimeOffset> instants, Func<string?> refusal,
        Func<(Event Definition, EventState State)> current)
    {
        if (instants.Count == 0) return BackfillTally.None;
        if (Refused(triggerId, instants.Count, refusal) is { } none) return none;
        var keys = instants.Select(i => BackfillKeys.For(triggerId, i)).ToList();
        IReadOnlyDictionary<string, string> held;
        try
        {
            held = await store.HeldKeysAsync(eventId, keys, clock.GetUtcNow());
        }
        catch (Exception ex)
        {
            logger.BackfillKeysUnreadable(ex, eventId.Value, triggerId.Value, instants.Count);
            return BackfillTally.AllRefused(instants.Count);
        }
        // Looked at again: the event may have been paused, removed or detached while the store answered.
        if (Refused(triggerId, instants.Count, refusal) is { } late) return late;
        var (def, state) = current();
        var (skipped, already, refused) = (0, 0, 0);
        var accepted = new List<(string JobId, Task<Result<string>> Answer)>(instants.Count);
        // One synchronous pass, oldest first: the jobs take their places in the queue in the instants' order.
        for (var i = 0; i < instants.Count; i++)
        {
            // Already queued by an earlier backfill: not run again, and not judged by the overlap policy either.
            if (held.ContainsKey(keys[i]))
            {
                already++;
                continue;
            }
            var result = intake.Backfill(def, state, triggerId, instants[i], keys[i]);
            if (result.IsOk) accepted.Add(result.Unwrap());
            else if (result.Error.Kind == ErrorKind.CONFLICT) skipped++; // the overlap policy; recorded SKIPPED like a live fire
            else refused++;
        }
        if (already > 0) metrics.Increment(MetricNames.JobsDeduplicated, eventId, already);
        var queued = 0;
        foreach (var (jobId, pending) in accepted)
        {
            var answer = await pending;
            if (answer.IsErr) refused++;
            else if (answer.Unwrap() != jobId) already++; // a concurrent backfill took the key first
            else queued++;
        }
        return new BackfillTally(queued, skipped, already, refused);
    }

    // Told to the caller, who asked; a SKIPPED record per instant would push the event's real history out.
    private BackfillTally? Refused(TriggerId triggerId, int count, Func<string?> refusal)
    {
        if (refusal() is not { } why) return null;
        logger.BackfillRefused(eventId.Value, triggerId.Value, count, why);
        return BackfillTally.AllRefused(count);
    }
}
