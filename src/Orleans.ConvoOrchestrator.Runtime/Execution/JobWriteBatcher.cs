using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// Group commit of one event's job records. With no write in flight a change is written at once; changes made while
/// a write is in flight wait and share the next write. A batch reports what it stored, in submission order,
/// before its submitters' tasks complete, so the event grain queues accepted jobs in the order they were accepted.
/// Not thread-safe: the event grain uses it from its own turns only. With a store that completes synchronously
/// (the memory store) every call completes synchronously too.
/// </summary>
/// <param name="store">The job store.</param>
/// <param name="eventId">The event whose jobs these are.</param>
/// <param name="stored">Called after a successful write with its appended and its marked jobs (lists valid during the call only).</param>
/// <param name="marksFailed">Called after a failed write with its marked jobs (appends fail through their tasks).</param>
public sealed class JobWriteBatcher(IJobStore store, EventId eventId,
    Action<IReadOnlyList<QueuedJob>, IReadOnlyList<QueuedJob>> stored, Action<IReadOnlyList<QueuedJob>> marksFailed)
{
    private List<QueuedJob> _appends = [];
    private List<QueuedJob> _marks = [];
    private List<string> _removals = [];
    // The lists of writes before, cleared and reused for the next batches: one event makes thousands of writes, and
    // lists kept between them would otherwise be new objects that live long enough to age in the heap. A write's
    // callback starts a nested write (the delivery marks) before the outer write's lists are free, so two sets wait.
    private readonly Stack<List<QueuedJob>> _spareJobLists = new(4);
    private readonly Stack<List<string>> _spareIdLists = new(2);
    private bool _writing;
    private TaskCompletionSource? _next;

    /// <summary>Accepted jobs not yet stored (waiting for a write, or in one): they count toward the queue's depth.</summary>
    public int Appending { get; private set; }

    /// <summary>Stores a newly accepted job; the task completes once it is stored (and reported as appended).</summary>
    public Task Append(QueuedJob job)
    {
        _appends.Add(job);
        Appending++;
        return Submit();
    }

    /// <summary>Stores a job's new delivery count before it is handed to a handler (reported as marked).</summary>
    public Task Mark(QueuedJob job)
    {
        _marks.Add(job);
        return Submit();
    }

    /// <summary>Stores several jobs' new delivery counts in one write (reported together, as marked).</summary>
    public Task Mark(IEnumerable<QueuedJob> jobs)
    {
        _marks.AddRange(jobs);
        return Submit();
    }

    /// <summary>Deletes an ended job's record.</summary>
    public Task Remove(string jobId)
    {
        _removals.Add(jobId);
        return Submit();
    }

    private Task Submit()
    {
        if (!_writing) return WriteAsync();
        _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _next.Task;
    }

    private async Task WriteAsync()
    {
        _writing = true;
        var appends = _appends;
        var marks = _marks;
        var removals = _removals;
        _appends = _spareJobLists.TryPop(out var a) ? a : [];
        _marks = _spareJobLists.TryPop(out var m) ? m : [];
        _removals = _spareIdLists.TryPop(out var r) ? r : [];
        try
        {
            var upserts = marks.Count == 0 ? appends : [.. appends, .. marks];
            if (upserts.Count + removals.Count > 0) await store.WriteAsync(eventId, upserts, removals);
        }
        catch
        {
            _writing = false;
            Appending -= appends.Count;
            if (marks.Count > 0) marksFailed(marks);
            StartNext();
            throw;
        }
        // Not writing while the callback runs: what it submits (delivery marks) is written at once, synchronously
        // with the memory store, instead of waiting for a next round.
        _writing = false;
        Appending -= appends.Count;
        stored(appends, marks);
        Recycle(appends, marks, removals);
        StartNext();
    }

    // The callback has seen the lists and the store is done with them: they serve the next batch.
    private void Recycle(List<QueuedJob> appends, List<QueuedJob> marks, List<string> removals)
    {
        if (_spareJobLists.Count < 4)
        {
            appends.Clear();
            marks.Clear();
            _spareJobLists.Push(appends);
            _spareJobLists.Push(marks);
        }
        if (_spareIdLists.Count < 2)
        {
            removals.Clear();
            _spareIdLists.Push(removals);
        }
    }

    // Changes submitted during the write that just ended share the next one (unless the callback already started it).
    private void StartNext()
    {
        if (_writing || _next is not { } next) return;
        _next = null;
        _ = WriteForAsync(next);
    }

    private async Task WriteForAsync(TaskCompletionSource waiters)
    {
        try
        {
            await WriteAsync();
            waiters.TrySetResult();
        }
        catch (Exception ex)
        {
            waiters.TrySetException(ex);
        }
    }
}
