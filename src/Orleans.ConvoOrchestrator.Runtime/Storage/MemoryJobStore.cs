using System.Collections.Concurrent;
using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// The embedded store's job queues: in the silo's memory, so they survive an event grain's deactivation but not
/// the process. Every operation completes synchronously.
/// </summary>
public sealed class MemoryJobStore : IJobStore
{
    private readonly ConcurrentDictionary<EventId, ConcurrentDictionary<string, QueuedJob>> _events = new();

    /// <inheritdoc />
    public bool IsDurable => false;

    /// <inheritdoc />
    public Task WriteAsync(EventId eventId, IReadOnlyList<QueuedJob> upserts, IReadOnlyList<string> removals)
    {
        var jobs = _events.GetOrAdd(eventId, _ => new ConcurrentDictionary<string, QueuedJob>(StringComparer.Ordinal));
        // Index loops: a foreach over the interfaces would allocate an enumerator per call, and this runs per job.
        for (var i = 0; i < upserts.Count; i++) jobs[upserts[i].JobId] = upserts[i];
        for (var i = 0; i < removals.Count; i++) jobs.TryRemove(removals[i], out _);
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
