using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// Group commit of one event's job records: accepted jobs, delivery marks and ends (outcome appended, record deleted). With no write in flight a change is written at once; changes made while
/// a write is in flight wait and share the next write, which starts when the one in flight ends, or at once (a second
/// write in flight, never more) as soon as as many accepted jobs wait as the write in flight carries. Writes report
/// what they stored in the order they started, before their submitters' tasks complete, so the event grain queues
/// accepted jobs in the order they were accepted. Not thread-safe: the event grain uses it from its own turns only.
/// With a store that completes synchronously (the memory store) every call completes synchronously too.
/// Why this shape: docs/adr/0006-group-commit-of-job-writes.md.
/// </summary>
/// <param name="store">The job store.</param>
/// <param name="eventId">The event whose jobs these are.</param>
/// <param name="historySize">How many history records the event keeps.</param>
/// <param name="reports">Told of each write's end, with its lists (valid during the call only).</param>
/// <param name="owner">The activation's owner token, passed with every write (see <see cref="IJobStore.TakeOverAsync"/>).</param>
internal sealed class JobWriteBatcher(IJobStore store, EventId eventId, int historySize, JobWriteBatcher.IReports reports, string? owner = null)
{
    /// <summary>What a write's end is reported to (the event's job lifecycle).</summary>
    public interface IReports
    {
        /// <summary>
        /// A write was stored: its accepted jobs, its delivery-marked jobs and its ended jobs' records; of its accepted
        /// jobs, <paramref name="refused"/> were not stored (their idempotency key is another job's).
        /// </summary>
        void Stored(IReadOnlyList<QueuedJob> appended, IReadOnlyList<QueuedJob> marked, IReadOnlyList<JobRecord> ended, IReadOnlyList<KeyConflict> refused);

        /// <summary>A write failed (or its answer was lost): nothing of it may be assumed stored.</summary>
        void Failed(IReadOnlyList<QueuedJob> appended, IReadOnlyList<QueuedJob> marked, IReadOnlyList<JobRecord> ended, Exception failure);
    }

    // Two: concurrent emitters fall into two groups that alternate, each waiting only for its own write; more in
    // flight measured no better (docs/adr/0006-group-commit-of-job-writes.md).
    private const int MaxInFlight = 2;
    private static readonly Task<IReadOnlyList<KeyConflict>> NothingWritten = Task.FromResult<IReadOnlyList<KeyConflict>>([]);

    // Open Hold scopes: while any is open, changes wait in the open batch.
    private int _holds;
    // The changes not yet in a write, and whoever waits for them.
    private Batch _open = new();
    // Writes under way, oldest first: reported strictly in this order, whatever order they end in.
    private readonly Queue<Batch> _inFlight = new(2);
    // Batches whose writes ended, cleared and reused: one event makes thousands of writes, and lists kept between them
    // would otherwise be new objects that live long enough to age in the heap.
    private readonly Stack<Batch> _spare = new(2);

    /// <summary>Accepted jobs not yet stored (waiting for a write, or in one): they count toward the queue's depth.</summary>
    public int Appending { get; private set; }

    /// <summary>Stores a newly accepted job; the task completes once it is stored (and reported as appended).</summary>
    public Task Append(QueuedJob job)
    {
        _open.Appends.Add(job);
        Appending++;
        return Submit();
    }

    /// <summary>Stores a job's new delivery count before it is handed to a handler (reported as marked).</summary>
    public Task Mark(QueuedJob job)
    {
        _open.Marks.Add(job);
        return Submit();
    }

    /// <summary>Stores several jobs' new delivery counts in one write (reported together, as marked).</summary>
    public Task Mark(IEnumerable<QueuedJob> jobs)
    {
        _open.Marks.AddRange(jobs);
        return Submit();
    }

    /// <summary>Ends a job: appends its record to the history and deletes its job record, in one write.</summary>
    public Task End(JobRecord record)
    {
        _open.Ends.Add(record);
        return Submit();
    }

    /// <summary>
    /// Holds back writes until the scope is disposed, then starts one for everything submitted meanwhile: the ends of a
    /// batch of completions and the delivery marks of the jobs they let start share a write. Scopes nest.
    /// </summary>
    public HoldScope Hold()
    {
        _holds++;
        return new HoldScope(this);
    }

    private void Release()
    {
        if (--_holds == 0 && _open.HasChanges && (_inFlight.Count == 0 || MayOverlap())) _ = Start();
    }

    private Task Submit()
    {
        if (_holds == 0 && (_inFlight.Count == 0 || MayOverlap())) return Start();
        return (_open.Waiters ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
    }

    // A second write while one is in flight only for as many accepted jobs as that one carries: groups of emitters
    // that alternate keep their size instead of splitting into ever smaller writes.
    private bool MayOverlap() =>
        _inFlight.Count < MaxInFlight && _open.Appends.Count > 0 && _open.Appends.Count >= _inFlight.Peek().Appends.Count;

    private Task Start()
    {
        var batch = _open;
        _open = _spare.TryPop(out var spare) ? spare : new Batch();
        _inFlight.Enqueue(batch);
        Task<IReadOnlyList<KeyConflict>> write;
        IReadOnlyList<QueuedJob> upserts = batch.Appends;
        try
        {
            upserts = batch.Marks.Count == 0 ? batch.Appends : batch.Appends.Count == 0 ? batch.Marks : [.. batch.Appends, .. batch.Marks];
            write = upserts.Count + batch.Ends.Count > 0 ? store.WriteAsync(eventId, upserts, batch.Ends, historySize, owner) : NothingWritten;
        }
        catch (Exception ex)
        {
            write = Task.FromException<IReadOnlyList<KeyConflict>>(ex);
        }
        if (!write.IsCompleted)
        {
            var waiters = batch.Waiters ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = EndAsync(batch, write, upserts);
            return waiters.Task;
        }
        // Synchronous (the memory store): reported before this returns, nothing allocated for the waiting.
        var failure = write.IsCompletedSuccessfully ? null : write.Exception?.InnerException ?? new TaskCanceledException(write);
        if (failure is null) batch.Refused = write.Result;
        End(batch, failure);
        return failure is null ? Task.CompletedTask : Task.FromException(failure);
    }

    private async Task EndAsync(Batch batch, Task<IReadOnlyList<KeyConflict>> write, IReadOnlyList<QueuedJob> upserts)
    {
        Exception? failure = null;
        try
        {
            batch.Refused = await write;
        }
        catch (JobOwnershipLostException ex)
        {
            // Refused, not lost: another activation owns the event now, and a repeat would be refused again.
            failure = ex;
        }
        catch (Exception)
        {
            // A write that failed may have been applied with its answer lost. Every job write is safe to repeat, so it
            // is written once more at once: a lost answer then ends as a stored write, not as a refused emit whose
            // job is stored all the same.
            try
            {
                batch.Refused = await store.WriteAsync(eventId, upserts, batch.Ends, historySize, owner);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }
        End(batch, failure);
    }

    // Marks the batch's write ended, reports every ended write at the head of the line, then starts what waited.
    private void End(Batch batch, Exception? failure)
    {
        batch.Ended = true;
        batch.Failure = failure;
        while (_inFlight.TryPeek(out var head) && head.Ended)
        {
            _inFlight.Dequeue();
            Report(head);
        }
        if (_holds == 0 && _open.HasChanges && (_inFlight.Count == 0 || MayOverlap())) _ = Start();
    }

    private void Report(Batch batch)
    {
        Appending -= batch.Appends.Count;
        var waiters = batch.Waiters;
        if (batch.Failure is { } failure)
        {
            reports.Failed(batch.Appends, batch.Marks, batch.Ends, failure);
            waiters?.TrySetException(failure);
        }
        else
        {
            // What the callback submits (delivery marks) is written at once when nothing else is in flight,
            // synchronously with the memory store, together with whatever waited.
            reports.Stored(batch.Appends, batch.Marks, batch.Ends, batch.Refused);
            waiters?.TrySetResult();
        }
        // The callback has seen the lists and the store is done with them: they serve a later batch.
        if (_spare.Count < 2)
        {
            batch.Clear();
            _spare.Push(batch);
        }
    }

    /// <summary>Ends a <see cref="Hold"/>: dispose it once.</summary>
    public readonly struct HoldScope : IDisposable
    {
        private readonly JobWriteBatcher _batcher;

        internal HoldScope(JobWriteBatcher batcher) => _batcher = batcher;

        /// <summary>Starts the write of what was held, unless an outer scope still holds.</summary>
        public void Dispose() => _batcher.Release();
    }

    private sealed class Batch
    {
        public List<QueuedJob> Appends { get; } = [];
        public List<QueuedJob> Marks { get; } = [];
        public List<JobRecord> Ends { get; } = [];
        public TaskCompletionSource? Waiters { get; set; }
        public IReadOnlyList<KeyConflict> Refused { get; set; } = [];
        public bool Ended { get; set; }
        public Exception? Failure { get; set; }
        public bool HasChanges => Appends.Count + Marks.Count + Ends.Count > 0;

        public void Clear()
        {
            Appends.Clear();
            Marks.Clear();
            Ends.Clear();
            Waiters = null;
            Refused = [];
            Ended = false;
            Failure = null;
        }
    }
}
