namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// Each event's recent outcomes, oldest first, bounded: appending costs the new records only, never a rewrite of
/// the whole history. Hosting chooses the implementation (<see cref="MemoryHistoryStore"/> or
/// <see cref="RedisHistoryStore"/>); event grains only see this interface.
/// </summary>
public interface IHistoryStore
{
    /// <summary>
    /// Whether appends complete synchronously in this process. Event grains then append each outcome as it ends;
    /// for a remote store they batch appends instead, one write per event every few seconds.
    /// </summary>
    bool AppendsInline { get; }

    /// <summary>Appends <paramref name="records"/> (oldest first) and keeps only the newest <paramref name="keep"/>.</summary>
    Task AppendAsync(EventId eventId, IReadOnlyList<JobRecord> records, int keep);

    /// <summary>The newest <paramref name="limit"/> records, oldest first.</summary>
    Task<IReadOnlyList<JobRecord>> LoadAsync(EventId eventId, int limit);

    /// <summary>Deletes the event's history.</summary>
    Task ClearAsync(EventId eventId);
}
