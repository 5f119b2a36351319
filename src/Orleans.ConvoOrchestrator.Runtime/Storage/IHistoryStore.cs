namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// Each event's recent outcomes, oldest first, bounded, one record per (job id, delivery). Records are appended by the
/// job store's write that ends their jobs (<see cref="IJobStore.WriteAsync"/>); this interface reads and clears them.
/// Hosting chooses the implementation (<see cref="MemoryHistoryStore"/> or the Redis one (package Orleans.ConvoOrchestrator.Redis)).
/// </summary>
internal interface IHistoryStore
{
    /// <summary>The newest <paramref name="limit"/> records, oldest first.</summary>
    Task<IReadOnlyList<JobRecord>> LoadAsync(EventId eventId, int limit);

    /// <summary>Deletes the event's history.</summary>
    Task ClearAsync(EventId eventId);
}
