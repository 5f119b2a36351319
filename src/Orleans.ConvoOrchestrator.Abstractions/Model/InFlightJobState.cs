namespace Orleans.ConvoOrchestrator;

/// <summary>Where a job that has not ended is, as <see cref="IEventOrchestrator.ListJobsAsync"/> shows it.</summary>
[GenerateSerializer, Alias("convo.InFlightJobState")]
public enum InFlightJobState
{
    /// <summary>Waiting for a slot of the event (or still being stored): counted in the queue depth.</summary>
    Queued = 0,

    /// <summary>Holding one of the event's slots: starting, or handed to a handler. Counted as running.</summary>
    Running = 1,

    /// <summary>
    /// Cancelled and on its way out: its CANCELLED outcome is written, but its handler has not stopped yet (or its
    /// write is still pending). Another cancel is refused with CONFLICT.
    /// </summary>
    Cancelling = 2,
}
