namespace Orleans.ConvoOrchestrator;

/// <summary>A job of an event that has not ended: queued, running, or being cancelled.</summary>
/// <param name="JobId">The id emit returned.</param>
/// <param name="State">Where it is.</param>
/// <param name="EnqueuedAt">When it was accepted (for a requeued failed job: when it was requeued).</param>
/// <param name="StartedAt">When it was handed to the worker pool; null while it waits, or when not known (the run outlived an earlier activation of the event).</param>
/// <param name="Delivery">How often it was handed to a handler, the current run included: 0 for a job that never started, more for a requeued or redelivered one.</param>
/// <param name="Attempt">The attempt now under way (1, then 2 and on for retries); null while it waits for a worker or when not known.</param>
/// <param name="TriggerId">The trigger that fired it, if one did.</param>
/// <param name="CorrelationId">Its correlation id.</param>
[GenerateSerializer, Immutable, Alias("convo.InFlightJob")]
public sealed record InFlightJob(
    string JobId,
    InFlightJobState State,
    DateTimeOffset EnqueuedAt,
    DateTimeOffset? StartedAt,
    int Delivery,
    int? Attempt,
    TriggerId? TriggerId,
    string CorrelationId)
{
    /// <summary>The most jobs one <see cref="IEventOrchestrator.ListJobsAsync"/> call lists.</summary>
    public const int MaxListed = 1000;

    /// <summary>Refuses a limit outside 1 to <see cref="MaxListed"/>.</summary>
    public static Result ValidateLimit(int limit) => limit is >= 1 and <= MaxListed
        ? Result.Ok()
        : Result.Err(ErrorKind.VALIDATION, $"limit must be between 1 and {MaxListed} (got {limit})");
}
