namespace Orleans.ConvoOrchestrator;

/// <summary>One entry of an event's run history.</summary>
/// <param name="JobId">The job's id, as returned by emit.</param>
/// <param name="TriggerId">The trigger that caused it, if any.</param>
/// <param name="EnqueuedAt">When it was accepted.</param>
/// <param name="Outcome">How it ended.</param>
[GenerateSerializer, Immutable, Alias("convo.JobRecord")]
public sealed record JobRecord(string JobId, TriggerId? TriggerId, DateTimeOffset EnqueuedAt, JobOutcome Outcome);
