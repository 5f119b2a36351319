namespace Orleans.ConvoOrchestrator;

/// <summary>An event's live state.</summary>
/// <param name="Active">Whether it accepts emits.</param>
/// <param name="QueueDepth">Jobs accepted and waiting for a concurrency slot.</param>
/// <param name="Running">Jobs dispatched and not yet finished.</param>
/// <param name="LastOutcome">The most recent finished job's outcome.</param>
/// <param name="NextRun">The earliest next fire of its active triggers; null while none is scheduled.</param>
/// <param name="Abandoned">
/// Runs whose attempt ended (timed out, cancelled past its grace) while their handler still holds a handler thread,
/// on the silo running the event's jobs; each leaves the count when its handler returns.
/// </param>
[GenerateSerializer, Immutable, Alias("convo.EventRuntimeStatus")]
public sealed record EventRuntimeStatus(
    bool Active,
    int QueueDepth,
    int Running,
    JobOutcome? LastOutcome,
    DateTimeOffset? NextRun,
    int Abandoned = 0);
