namespace Orleans.ConvoOrchestrator;

/// <summary>
/// A job that ended ERR (its retries ran out, or its last attempt timed out), kept in its event's failed list with what
/// it takes to run it again, until it is requeued or discarded (or the retention drops it).
/// </summary>
/// <param name="EventId">The event it belongs to.</param>
/// <param name="JobId">The job's id; a requeued job keeps it.</param>
/// <param name="PayloadJson">The payload, as JSON text.</param>
/// <param name="TriggerId">The trigger that fired it, if one did.</param>
/// <param name="CorrelationId">Its correlation id.</param>
/// <param name="EnqueuedAt">When it was first accepted.</param>
/// <param name="ScheduledAt">When the fire that caused it was due.</param>
/// <param name="Outcome">How it failed: error, retries, times, delivery.</param>
/// <param name="IsBackfill">True when it ran a past fire for a backfill (a requeued run still says so).</param>
[GenerateSerializer, Immutable, Alias("convo.FailedJob")]
public sealed record FailedJob(EventId EventId, string JobId, string PayloadJson, TriggerId? TriggerId, string CorrelationId,
    DateTimeOffset EnqueuedAt, DateTimeOffset? ScheduledAt, JobOutcome Outcome, bool IsBackfill = false)
{
    /// <summary>How many attempts it made (the first plus its retries).</summary>
    public int Attempts => Outcome.Retries + 1;
}
