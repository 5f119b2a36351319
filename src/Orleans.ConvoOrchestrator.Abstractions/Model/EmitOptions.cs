namespace Orleans.ConvoOrchestrator;

/// <summary>Optional details of an emit.</summary>
/// <param name="CorrelationId">Carried into the handler's context; a new one is made when null.</param>
/// <param name="TriggerId">The trigger on whose behalf the job is emitted.</param>
/// <param name="ScheduledAt">When a trigger's fire was due (for lateness metrics and the handler's context).</param>
/// <param name="IdempotencyKey">
/// Makes the emit idempotent: a second emit to the event with a key already seen within the event's idempotency window
/// (<see cref="Policy.IdempotencyWindowSec"/>) creates no job and answers the first job's id. Null: the policy's
/// <see cref="Policy.IdempotencyKeyPath"/> may take one from the payload.
/// </param>
[GenerateSerializer, Immutable, Alias("convo.EmitOptions")]
public sealed record EmitOptions(string? CorrelationId = null, TriggerId? TriggerId = null, DateTimeOffset? ScheduledAt = null,
    string? IdempotencyKey = null);
