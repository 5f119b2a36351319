using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// Where accepted jobs wait until they end: one keyed collection per event, so accepting, marking and ending a
/// job each cost one small record write whatever the queue's depth. Hosting chooses the implementation
/// (<see cref="MemoryJobStore"/> or <see cref="RedisJobStore"/>); event grains only see this interface.
/// </summary>
public interface IJobStore
{
    /// <summary>True when stored jobs outlive the process (then an emit returns only once its job is stored).</summary>
    bool IsDurable { get; }

    /// <summary>
    /// Stores (inserts or replaces) <paramref name="upserts"/> and deletes <paramref name="removals"/> of one event, in
    /// one round trip; the event is listed by <see cref="PendingEventsAsync"/> while it has stored jobs. The lists are
    /// the caller's again once the task completes (they are reused): a store must not keep them.
    /// </summary>
    Task WriteAsync(EventId eventId, IReadOnlyList<QueuedJob> upserts, IReadOnlyList<string> removals);

    /// <summary>Every stored job of the event, in no particular order.</summary>
    Task<IReadOnlyList<QueuedJob>> LoadAsync(EventId eventId);

    /// <summary>How many jobs of the event are stored (cheap: no job is read).</summary>
    Task<long> CountAsync(EventId eventId);

    /// <summary>Deletes every stored job of the event and unlists it.</summary>
    Task ClearAsync(EventId eventId);

    /// <summary>Unlists the event when it has no stored job (its grain calls this when it goes idle).</summary>
    Task ForgetIfEmptyAsync(EventId eventId);

    /// <summary>The events that may have stored jobs (so a surviving silo can wake them after a failure).</summary>
    Task<IReadOnlyList<EventId>> PendingEventsAsync();
}
