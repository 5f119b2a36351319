namespace Orleans.ConvoOrchestrator;

/// <summary>Optional details of an emit.</summary>
/// <param name="CorrelationId">Carried into the handler's context; a new one is made when null.</param>
/// <param name="TriggerId">The trigger on whose behalf the job is emitted.</param>
/// <param name="ScheduledAt">When a trigger's fire was due (for lateness metrics and the handler's context).</param>
[GenerateSerializer, Immutable, Alias("convo.EmitOptions")]
public sealed record EmitOptions(string? CorrelationId = null, TriggerId? TriggerId = null, DateTimeOffset? ScheduledAt = null);
