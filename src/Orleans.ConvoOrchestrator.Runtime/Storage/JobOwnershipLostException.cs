namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// A job write was refused because another activation of the event has taken it over since the writer did
/// (<see cref="IJobStore.TakeOverAsync"/>): the writer is stale. Nothing of the write was stored, and repeating it is
/// refused again, so it is not a lost answer to retry: the writer must start nothing more and go.
/// </summary>
internal sealed class JobOwnershipLostException(EventId eventId)
    : Exception($"the jobs of event '{eventId}' were taken over by another activation; this one is stale")
{
    /// <summary>The event whose jobs another activation owns now.</summary>
    public EventId EventId { get; } = eventId;
}
