using Orleans.Concurrency;
using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// The silo's own traffic to an event grain (same grain as <see cref="IEventGrain"/>, key = event id): trigger fires,
/// outcomes from the worker pool, wake-ups after a failure. It lives in the runtime, which clients do not reference,
/// so a client cannot speak the worker protocol.
/// </summary>
[Alias("convo.IEventJobsGrain")]
internal interface IEventJobsGrain : IGrainWithStringKey
{
    /// <summary>
    /// A scheduled trigger fire: accepted like an emit, but one-way, since the trigger has nothing to do with the
    /// answer (refusals are counted and recorded by the event itself) and must not wait on every event it feeds.
    /// </summary>
    [Alias("Fire"), AlwaysInterleave, OneWay] Task FireAsync(string payloadJson, EmitOptions options);

    /// <summary>
    /// Backfilled fires of an attached trigger, oldest first: each accepted like a scheduled fire (overlap policy, queue
    /// bound) with the instant's backfill key, so an instant already queued by an earlier backfill is not queued again.
    /// Answers once the jobs are stored (or refused).
    /// </summary>
    [Alias("Backfill"), AlwaysInterleave] Task<BackfillTally> BackfillAsync(TriggerId triggerId, List<DateTimeOffset> instants);

    /// <summary>
    /// Reports the end of one or more jobs; called by the worker pool, which sends whatever ended while its
    /// previous report to this event was in flight in one call.
    /// </summary>
    [Alias("Complete"), AlwaysInterleave] Task CompleteAsync(List<JobCompletion> completions);

    /// <summary>
    /// Activates the event (which loads and resumes its stored jobs); sent by the silos after a silo was lost,
    /// and by the grain to itself when it deactivates with jobs left.
    /// </summary>
    [Alias("Wake"), AlwaysInterleave, OneWay] Task WakeAsync();

    /// <summary>An attached trigger was paused or resumed: the event's next run leaves it out or takes it back.</summary>
    [Alias("TriggerPaused")] Task TriggerPausedAsync(TriggerId triggerId, bool paused);
}
