using System.Collections.Concurrent;
using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// The embedded store's job queues: in the silo's memory, so they survive an event grain's deactivation but not
/// the process. Ended jobs' records go to <see cref="MemoryHistoryStore"/>. Every operation completes synchronously.
/// Owner tokens are ignored: only this process can activate the event, and Orleans never runs two activations of one
/// grain in one process, so there is no stale writer to fence.
/// </summary>
/// <param name="history">Where the records of ended jobs are appended.</param>
/// <param name="retention">How much of each failed list is kept.</param>
internal sealed class MemoryJobStore(MemoryHistoryStore history, FailedJobRetention retention) : IJobStore
{
    private static readonly Task<IReadOnlyList<KeyConflict>> NoneRefused = Task.FromResult<IReadOnlyList<KeyConflict>>([]);
    private readonly ConcurrentDictionary<EventId, ConcurrentDictionary<string, QueuedJob>> _events = new();
    private readonly ConcurrentDictionary<EventId, KeyClaims> _keys = new();
    private readonly ConcurrentDictionary<EventId, FailedList> _failed = new();

    // One per event that ever queued a job, kept while the process lives: sized for the few jobs an event usually has
    // and with one lock (an event's writes come from its grain's turns). The defaults (a lock per processor, 31
    // buckets) cost ~300 B more per event, a sixth of what a firing schedule keeps outside Orleans.
    private static ConcurrentDictionary<string, QueuedJob> NewQueue() => new(concurrencyLevel: 1, capacity: 4, StringComparer.Ordinal);

    /// <summary>A store with a history of its own and the default retention (tests).</summary>
    public MemoryJobStore() : this(new MemoryHistoryStore(), FailedJobRetention.Default)
    {
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<KeyConflict>> WriteAsync(EventId eventId, IReadOnlyList<QueuedJob> upserts, IReadOnlyList<JobRecord> ended, int historySize,
        string? owner = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historySize, 1);
        List<KeyConflict>? refused = null;
        // Index loops: a foreach over the interfaces would allocate an enumerator per call, and this runs per job.
        if (upserts.Count > 0)
        {
            var jobs = _events.GetOrAdd(eventId, static _ => NewQueue());
            for (var i = 0; i < upserts.Count; i++)
            {
                var job = upserts[i];
                if (job.IdempotencyKey is not null && HeldByAnother(eventId, jobs, job) is { } heldBy) (refused ??= []).Add(new KeyConflict(job.JobId, heldBy));
                else jobs[job.JobId] = job;
            }
        }
        if (ended.Count > 0)
        {
            history.Append(eventId, ended, historySize);
            if (_events.TryGetValue(eventId, out var jobs))
            {
                for (var i = 0; i < ended.Count; i++)
                {
                    if (jobs.TryRemove(ended[i].JobId, out var job) && ended[i].Outcome.Status == JobStatus.ERR) Fail(eventId, job, ended[i]);
                }
            }
        }
        return refused is null ? NoneRefused : Task.FromResult<IReadOnlyList<KeyConflict>>(refused);
    }

    // The job that holds the new job's key, or null after taking the key for it. A job already stored keeps going
    // (a delivery mark, a repeated write) whoever holds its key now.
    private string? HeldByAnother(EventId eventId, ConcurrentDictionary<string, QueuedJob> jobs, QueuedJob job)
    {
        var keys = _keys.GetOrAdd(eventId, static _ => new KeyClaims());
        lock (keys)
        {
            if (keys.Claims.TryGetValue(job.IdempotencyKey!, out var held) && held.JobId != job.JobId && held.Until > job.EnqueuedAt
                && !jobs.ContainsKey(job.JobId))
                return held.JobId;
            if (held.JobId is null || held.Until <= job.EnqueuedAt) keys.Claims[job.IdempotencyKey!] = (job.JobId, job.IdempotentUntil ?? job.EnqueuedAt);
            keys.SweepIfDue(job.EnqueuedAt);
            return null;
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string>> HeldKeysAsync(EventId eventId, IReadOnlyList<string> keys, DateTimeOffset now)
    {
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        if (_keys.TryGetValue(eventId, out var claims))
        {
            lock (claims)
            {
                foreach (var key in keys)
                {
                    if (claims.Claims.TryGetValue(key, out var claim) && claim.Until > now) held[key] = claim.JobId;
                }
            }
        }
        return Task.FromResult<IReadOnlyDictionary<string, string>>(held);
    }

    private void Fail(EventId eventId, QueuedJob job, JobRecord record)
    {
        if (retention.Kept == 0) return;
        var list = _failed.GetOrAdd(eventId, static _ => new FailedList());
        lock (list)
        {
            list.Add(new FailedJob(eventId, job.JobId, job.PayloadJson, job.TriggerId, job.CorrelationId, job.EnqueuedAt, job.ScheduledAt, record.Outcome, job.IsBackfill));
            list.Trim(retention, record.Outcome.FinishedAt);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<FailedJob>> LoadFailedAsync(EventId eventId, int limit)
    {
        if (!_failed.TryGetValue(eventId, out var list)) return Task.FromResult<IReadOnlyList<FailedJob>>([]);
        lock (list) return Task.FromResult<IReadOnlyList<FailedJob>>(list.Newest(limit));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EventId>> EventsWithFailedAsync() =>
        Task.FromResult<IReadOnlyList<EventId>>(_failed.Where(e => { lock (e.Value) return e.Value.Count > 0; }).Select(e => e.Key).ToList());

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> RequeueFailedAsync(EventId eventId, IReadOnlyList<QueuedJob> jobs, string? owner = null)
    {
        if (!_failed.TryGetValue(eventId, out var list)) return Task.FromResult<IReadOnlyList<string>>([]);
        var moved = new List<string>(jobs.Count);
        var stored = _events.GetOrAdd(eventId, static _ => NewQueue());
        lock (list)
        {
            foreach (var job in jobs)
            {
                if (!list.Remove(job.JobId)) continue;
                stored[job.JobId] = job;
                moved.Add(job.JobId);
            }
        }
        return Task.FromResult<IReadOnlyList<string>>(moved);
    }

    /// <inheritdoc />
    public Task<int> DiscardFailedAsync(EventId eventId, IReadOnlyList<string>? jobIds)
    {
        if (!_failed.TryGetValue(eventId, out var list)) return Task.FromResult(0);
        lock (list) return Task.FromResult(jobIds is null ? list.Clear() : jobIds.Count(list.Remove));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<QueuedJob>> LoadAsync(EventId eventId) =>
        Task.FromResult<IReadOnlyList<QueuedJob>>(_events.TryGetValue(eventId, out var jobs) ? jobs.Values.ToList() : []);

    /// <inheritdoc />
    public Task<IReadOnlyList<QueuedJob>> TakeOverAsync(EventId eventId, string owner) => LoadAsync(eventId);

    /// <inheritdoc />
    public Task<long> CountAsync(EventId eventId) =>
        Task.FromResult(_events.TryGetValue(eventId, out var jobs) ? (long)jobs.Count : 0L);

    /// <inheritdoc />
    public Task ClearAsync(EventId eventId, string? owner = null)
    {
        _events.TryRemove(eventId, out _);
        _keys.TryRemove(eventId, out _);
        _failed.TryRemove(eventId, out _);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ForgetIfEmptyAsync(EventId eventId, string? owner = null)
    {
        if (_events.TryGetValue(eventId, out var jobs) && jobs.IsEmpty) _events.TryRemove(new KeyValuePair<EventId, ConcurrentDictionary<string, QueuedJob>>(eventId, jobs));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EventId>> PendingEventsAsync() =>
        Task.FromResult<IReadOnlyList<EventId>>(_events.Where(e => !e.Value.IsEmpty).Select(e => e.Key).ToList());

    // One event's idempotency keys: which job holds each, and until when. Expired claims go in sweeps that run when
    // the table has doubled since the last one, so a sweep costs O(1) per claim taken.
    private sealed class KeyClaims
    {
        private int _sweepAt = 1024;

        public Dictionary<string, (string JobId, DateTimeOffset Until)> Claims { get; } = new(StringComparer.Ordinal);

        public void SweepIfDue(DateTimeOffset now)
        {
            if (Claims.Count < _sweepAt) return;
            foreach (var (key, claim) in Claims)
            {
                if (claim.Until <= now) Claims.Remove(key);
            }
            _sweepAt = Math.Max(1024, Claims.Count * 2);
        }
    }

    // One event's failed jobs by id, and their order of failure (oldest first) for the retention and the listing.
    private sealed class FailedList
    {
        private readonly Dictionary<string, FailedJob> _jobs = new(StringComparer.Ordinal);
        private readonly SortedSet<(DateTimeOffset FailedAt, string JobId)> _order = new();

        public int Count => _jobs.Count;

        public void Add(FailedJob job)
        {
            Remove(job.JobId); // the same job failing again replaces its entry
            _jobs[job.JobId] = job;
            _order.Add((job.Outcome.FinishedAt, job.JobId));
        }

        public bool Remove(string jobId)
        {
            if (!_jobs.Remove(jobId, out var job)) return false;
            _order.Remove((job.Outcome.FinishedAt, jobId));
            return true;
        }

        public int Clear()
        {
            var count = _jobs.Count;
            _jobs.Clear();
            _order.Clear();
            return count;
        }

        public void Trim(FailedJobRetention retention, DateTimeOffset now)
        {
            while (_order.Count > 0 && (_order.Count > retention.Kept || _order.Min.FailedAt < now - retention.MaxAge)) Remove(_order.Min.JobId);
        }

        public List<FailedJob> Newest(int limit) => _order.Reverse().Take(Math.Max(0, limit)).Select(o => _jobs[o.JobId]).ToList();
    }
}
