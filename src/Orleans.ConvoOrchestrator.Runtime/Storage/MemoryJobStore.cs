using System.Collections.Concurrent;
using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// The embedded store's job queues: in the silo's memory, so they survive an event grain's deactivation but not
/// the process. Ended jobs' records go to <see cref="MemoryHistoryStore"/>. Every operation completes synchronously.
/// </summary>
/// <param name="history">Where the records of ended jobs are appended.</param>
public sealed class MemoryJobStore(MemoryHistoryStore history) : IJobStore
{
    private readonly ConcurrentDictionary<EventId, ConcurrentDictionary<string, QueuedJob>> _events = new();

    /// <summary>A store with a history of its own (tests).</summary>
    public MemoryJobStore() : this(new MemoryHistoryStore())
    {
    }

    /// <inheritdoc />
    public Task WriteAsync(EventId eventId, IReadOnlyList<QueuedJob> upserts, IReadOnlyList<JobRecord> ended, int historySize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historySize, 1);
        // Index loops: a foreach over the interfaces would allocate an enumerator per call, and this runs per job.
        if (upserts.Count > 0)
        {
            var jobs = _events.GetOrAdd(eventId, _ => new ConcurrentDictionary<string, QueuedJob>(StringComparer.Ordinal));
            for (var i = 0; i < upserts.Count; i++) jobs[upserts[i].JobId] = upserts[i];
        }
        if (ended.Count > 0)
        {
            history.Append(eventId, ended, historySize);
            if (_events.TryGetValue(eventId, out var jobs))
            {
                for (var i = 0; i < ended.Count; i++) jobs.TryRemove(ended[i].JobId, out _);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<QueuedJob>> LoadAsync(EventId eventId) =>
        Task.FromResult<IReadOnlyList<QueuedJob>>(_events.TryGetValue(eventId, out var jobs) ? jobs.Values.ToList() : []);

    /// <inheritdoc />
    public Task<long> CountAsync(EventId eventId) =>
        Task.FromResult(_events.TryGetValue(eventId, out var jobs) ? (long)jobs.Count : 0L);

    /// <inheritdoc />
    public Task ClearAsync(EventId eventId)
    {
        _events.TryRemove(eventId, out _);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ForgetIfEmptyAsync(EventId eventId)
    {
        if (_events.TryGetValue(eventId, out var jobs) && jobs.IsEmpty) _events.TryRemove(new KeyValuePair<EventId, ConcurrentDictionary<string, QueuedJob>>(eventId, jobs));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EventId>> PendingEventsAsync() =>
        Task.FromResult<IReadOnlyList<EventId>>(_events.Where(e => !e.Value.IsEmpty).Select(e => e.Key).ToList());
}
