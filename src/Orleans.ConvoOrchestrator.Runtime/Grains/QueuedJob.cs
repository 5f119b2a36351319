namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>A job accepted by an event grain, waiting or running.</summary>
internal sealed record QueuedJob(string JobId, string PayloadJson, TriggerId? TriggerId, string CorrelationId, DateTimeOffset EnqueuedAt, DateTimeOffset? ScheduledAt);
