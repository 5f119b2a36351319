namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// A job accepted by an event grain, waiting or running; also the record the job store keeps until it ends.
/// </summary>
/// <param name="JobId">The id emit returned.</param>
/// <param name="Seq">Order of acceptance within the event (ties of <paramref name="EnqueuedAt"/> broken by it).</param>
/// <param name="PayloadJson">The payload as JSON text.</param>
/// <param name="TriggerId">The trigger that fired it, if one did.</param>
/// <param name="CorrelationId">The caller's correlation id.</param>
/// <param name="EnqueuedAt">When it was accepted.</param>
/// <param name="ScheduledAt">When the trigger fire that caused it was due.</param>
/// <param name="Deliveries">How often it was handed to a handler so far (persisted before each hand-over).</param>
/// <param name="TraceParent">The emit span's W3C traceparent; the run span links to it (tracing).</param>
/// <param name="IdempotencyKey">The emit's idempotency key: the store refuses a new job whose key another job holds.</param>
/// <param name="IdempotentUntil">Until when the key stays held (acceptance plus the event's idempotency window).</param>
/// <param name="IsBackfill">True for a past fire run by a backfill (stored only when true).</param>
internal sealed record QueuedJob(
    string JobId,
    long Seq,
    string PayloadJson,
    TriggerId? TriggerId,
    string CorrelationId,
    DateTimeOffset EnqueuedAt,
    DateTimeOffset? ScheduledAt,
    int Deliveries = 0,
    string? TraceParent = null,
    string? IdempotencyKey = null,
    DateTimeOffset? IdempotentUntil = null,
    bool IsBackfill = false);
