namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>One job handed from an event grain to the handler-worker pool.</summary>
/// <param name="EventId">The job's event.</param>
/// <param name="JobId">The job's id.</param>
/// <param name="HandlerName">The handler to run.</param>
/// <param name="Policy">The policy in force when the job was dispatched.</param>
/// <param name="PayloadJson">The payload as JSON text.</param>
/// <param name="TriggerId">The trigger that caused the job, if any.</param>
/// <param name="CorrelationId">The caller's correlation id.</param>
/// <param name="EnqueuedAt">When the job was accepted.</param>
/// <param name="ScheduledAt">When the trigger fire that caused it was due, if one did.</param>
/// <param name="Delivery">1 for the first delivery, more when a lost silo's job is delivered again.</param>
/// <param name="TraceParent">The W3C traceparent of the span that emitted it, so its run span links back (tracing).</param>
/// <param name="IsBackfill">True for a past fire run by a backfill.</param>
[GenerateSerializer, Immutable, Alias("convo.JobRequest")]
public sealed record JobRequest(
    EventId EventId,
    string JobId,
    string HandlerName,
    Policy Policy,
    string PayloadJson,
    TriggerId? TriggerId,
    string CorrelationId,
    DateTimeOffset EnqueuedAt,
    DateTimeOffset? ScheduledAt = null,
    int Delivery = 1,
    string? TraceParent = null,
    bool IsBackfill = false);
