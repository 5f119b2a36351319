namespace Orleans.ConvoOrchestrator;

/// <summary>An event's live state.</summary>
/// <param name="Active">Whether it accepts emits.</param>
/// <param name="QueueDepth">Jobs accepted and waiting for a concurrency slot.</param>
/// <param name="Running">Jobs dispatched and not yet finished.</param>
/// <param name="LastOutcome">The most recent finished job's outcome.</param>
/// <param name="NextRun">The earliest next fire of its active triggers; null while none is scheduled.</param>
[GenerateSerializer, Immutable, Alias("convo.EventRuntimeStatus")]
public sealed record EventRuntimeStatus(
    bool Active,
    int QueueDepth,
    int Running,
    JobOutcome? LastOutcome,
    DateTimeOffset? NextRun);
