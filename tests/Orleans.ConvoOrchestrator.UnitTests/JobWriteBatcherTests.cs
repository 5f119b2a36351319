using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class JobWriteBatcherTests
{
    private static readonly EventId Ev = new("ev");

    private static QueuedJob Job(int n) => new($"job-{n}", n, "null", null, $"c-{n}", DateTimeOffset.UnixEpoch, null);

    private static JobRecord Ended(string jobId) =>
        new(jobId, null, DateTimeOffset.UnixEpoch, new JobOutcome(JobStatus.OK, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch));

    private static JobWriteBatcher Batcher(IJobStore store, Action<IReadOnlyList<QueuedJob>, IReadOnlyList<QueuedJob>>? stored = null,
        Action<IReadOnlyList<QueuedJob>>? marksFailed = null) =>
        new(store, Ev, 100, new Reports(stored ?? ((_, _) => { }), marksFailed ?? (_ => { })));

    // A batcher that records the ids of the jobs it reports appended, in the order it reports them.
    private static JobWriteBatcher Recording(IJobStore store, List<string> appended) =>
        Batcher(store, (a, _) => appended.AddRange(a.Select(j => j.JobId)));

    [Fact]
    public async Task Changes_made_while_two_writes_are_in_flight_share_the_next_write_and_are_reported_in_order()
    {
        var store = new GatedStore();
        var appended = new List<string>();
        var batcher = Recording(store, appended);

        var first = batcher.Append(Job(1));
        Assert.Single(store.Writes); // written at once
        var second = batcher.Append(Job(2));
        Assert.Equal(2, store.Writes.Count); // as many jobs wait as the write in flight carries: a second write
        var third = batcher.Append(Job(3));
        var fourth = batcher.Append(Job(4));
        var removal = batcher.End(Ended("old"));
        Assert.Equal(2, store.Writes.Count); // never more than two in flight
        Assert.Equal(4, batcher.Appending);

        store.Complete(0);
        await first;
        Assert.Equal(3, store.Writes.Count); // one write for everything that waited
        Assert.Equal(["job-3", "job-4"], store.Writes[2].Upserts.Select(j => j.JobId));
        Assert.Equal(["old"], store.Writes[2].Ended.Select(r => r.JobId));
        Assert.False(second.IsCompleted);

        store.Complete(1);
        store.Complete(2);
        await Task.WhenAll(second, third, fourth, removal);
        Assert.Equal(["job-1", "job-2", "job-3", "job-4"], appended);
        Assert.Equal(0, batcher.Appending);
    }

    [Fact]
    public async Task A_second_write_starts_only_when_as_many_jobs_wait_as_the_write_in_flight_carries()
    {
        var store = new GatedStore();
        var batcher = Batcher(store);
        _ = batcher.Append(Job(1));
        _ = batcher.Append(Job(2));
        for (var n = 3; n <= 5; n++) _ = batcher.Append(Job(n));
        store.Complete(0);
        await Task.Yield();
        Assert.Equal(3, store.Writes.Count); // three waited while job-2's write (one job) was in flight
        Assert.Equal(3, store.Writes[2].Upserts.Count);

        store.Complete(1);
        _ = batcher.Append(Job(6));
        _ = batcher.Append(Job(7));
        Assert.Equal(3, store.Writes.Count); // two wait; the write in flight carries three
        var marked = batcher.Mark(Job(99) with { Deliveries = 1 });
        Assert.Equal(3, store.Writes.Count); // delivery marks alone never start a second write
        _ = batcher.Append(Job(8));
        Assert.Equal(4, store.Writes.Count);
        Assert.Equal(["job-6", "job-7", "job-8", "job-99"], store.Writes[3].Upserts.Select(j => j.JobId));
        store.Complete(2);
        store.Complete(3);
        await marked;
    }

    [Fact]
    public async Task Writes_that_end_out_of_order_are_reported_in_the_order_they_started()
    {
        var store = new GatedStore();
        var appended = new List<string>();
        var batcher = Recording(store, appended);
        var first = batcher.Append(Job(1));
        var second = batcher.Append(Job(2));

        store.Complete(1);
        await Task.Delay(50);
        Assert.False(second.IsCompleted); // stored, but not reported before the write that started first
        Assert.Empty(appended);

        store.Fail(0);
        store.Fail(2); // its one repeat fails too
        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await second;
        Assert.Equal(["job-2"], appended);
        Assert.Equal(0, batcher.Appending);
    }

    [Fact]
    public async Task Changes_carried_by_a_write_the_callback_started_complete_with_that_write()
    {
        var store = new GatedStore();
        JobWriteBatcher? batcher = null;
        // The event grain marks the jobs it dispatches from inside the callback; that write also takes what waited.
        batcher = Batcher(store, (appended, marked) =>
        {
            foreach (var job in appended) _ = batcher!.Mark(job with { Deliveries = 1 });
        });
        _ = batcher.Append(Job(1));
        var removal = batcher.End(Ended("old"));

        store.Complete(0);
        await Task.Yield();
        Assert.Equal(2, store.Writes.Count);
        Assert.Equal(["old"], store.Writes[1].Ended.Select(r => r.JobId));
        var later = batcher.Append(Job(2)); // in a later write, still in flight
        store.Complete(1);
        await removal.WaitAsync(TimeSpan.FromSeconds(10)); // not held for the write after this one
        Assert.False(later.IsCompleted);
    }

    [Fact]
    public async Task A_failed_write_fails_its_appends_and_returns_its_marks()
    {
        var store = new GatedStore();
        var returned = new List<string>();
        var batcher = Batcher(store, (_, _) => Assert.Fail("nothing was stored"), m => returned.AddRange(m.Select(j => j.JobId)));

        var append = batcher.Append(Job(1));
        store.Fail(0);
        await store.WrittenAsync(2); // written once more at once: the failure may have been a lost answer
        Assert.Equal(store.Writes[0].Upserts, store.Writes[1].Upserts);
        store.Fail(1);
        await Assert.ThrowsAsync<InvalidOperationException>(() => append);
        Assert.Equal(0, batcher.Appending);

        var mark = batcher.Mark(Job(2) with { Deliveries = 1 });
        store.Fail(2);
        store.Fail(3);
        await Assert.ThrowsAsync<InvalidOperationException>(() => mark);
        Assert.Equal(["job-2"], returned);
    }

    [Fact]
    public async Task A_write_that_fails_once_is_written_again_and_reported_stored()
    {
        var store = new GatedStore();
        var appended = new List<string>();
        var batcher = Recording(store, appended);
        var append = batcher.Append(Job(1));
        var end = batcher.End(Ended("job-0"));

        store.Fail(0);
        await store.WrittenAsync(2); // the repeat; the end waits for the write in flight to end
        Assert.Equal(2, store.Writes.Count);
        store.Complete(1);
        await append;
        Assert.Equal(["job-1"], appended);
        Assert.Equal(["job-0"], store.Writes[2].Ended.Select(r => r.JobId));
        store.Complete(2);
        await end;
    }

    [Fact]
    public void With_a_store_that_answers_at_once_everything_completes_synchronously()
    {
        var dispatched = new List<string>();
        JobWriteBatcher? batcher = null;
        // Marking from inside the callback (as the event grain does when it pumps) is written at once too.
        batcher = Batcher(new MemoryJobStore(),
            (appended, marked) =>
            {
                foreach (var job in appended) Assert.True(batcher!.Mark(job with { Deliveries = 1 }).IsCompletedSuccessfully);
                dispatched.AddRange(marked.Select(j => j.JobId));
            });

        Assert.True(batcher.Append(Job(1)).IsCompletedSuccessfully);
        Assert.Equal(["job-1"], dispatched);
        Assert.True(batcher.End(Ended("job-1")).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Changes_made_under_a_hold_share_one_write_started_when_the_last_hold_ends()
    {
        var store = new GatedStore();
        var marked = new List<string>();
        var batcher = Batcher(store, (_, m) => marked.AddRange(m.Select(j => j.JobId)));

        Task end, mark;
        using (batcher.Hold())
        {
            using (batcher.Hold())
            {
                end = batcher.End(Ended("job-1"));
            }
            mark = batcher.Mark(Job(2) with { Deliveries = 1 });
            Assert.Empty(store.Writes); // nothing written while a hold is open
        }

        await store.WrittenAsync(1);
        Assert.Single(store.Writes);
        Assert.Equal(["job-1"], store.Writes[0].Ended.Select(r => r.JobId));
        Assert.Equal(["job-2"], store.Writes[0].Upserts.Select(j => j.JobId));
        Assert.False(end.IsCompleted);
        store.Complete(0);
        await Task.WhenAll(end, mark);
        Assert.Equal(["job-2"], marked);
    }

    /// <summary>A store whose writes complete (or fail) when the test says so.</summary>
    private sealed class GatedStore : IJobStore
    {
        // By write index, made by whichever comes first: the write, or the test's word on how it ends (a write the
        // batcher repeats starts in a continuation, which the test's synchronization context may run later).
        private readonly Dictionary<int, TaskCompletionSource<IReadOnlyList<KeyConflict>>> _gates = [];

        public List<(IReadOnlyList<QueuedJob> Upserts, IReadOnlyList<JobRecord> Ended)> Writes { get; } = [];

        public Task<IReadOnlyList<KeyConflict>> WriteAsync(EventId eventId, IReadOnlyList<QueuedJob> upserts, IReadOnlyList<JobRecord> ended, int historySize,
            string? owner = null)
        {
            lock (_gates)
            {
                Writes.Add((upserts.ToList(), ended.ToList())); // copies: the batcher reuses its lists once a write ends
                return Gate(Writes.Count - 1).Task;
            }
        }

        public void Complete(int write)
        {
            lock (_gates) Gate(write).SetResult([]);
        }

        public void Fail(int write)
        {
            lock (_gates) Gate(write).SetException(new InvalidOperationException("store down"));
        }

        /// <summary>Waits until <paramref name="count"/> writes have started.</summary>
        public async Task WrittenAsync(int count)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (true)
            {
                lock (_gates)
                {
                    if (Writes.Count >= count) return;
                }
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"only {Writes.Count} of {count} writes started");
                await Task.Delay(1);
            }
        }

        private TaskCompletionSource<IReadOnlyList<KeyConflict>> Gate(int write)
        {
            if (!_gates.TryGetValue(write, out var gate)) _gates[write] = gate = new TaskCompletionSource<IReadOnlyList<KeyConflict>>();
            return gate;
        }

        public Task<IReadOnlyList<QueuedJob>> LoadAsync(EventId eventId) => throw new NotSupportedException();

        public Task<IReadOnlyList<QueuedJob>> TakeOverAsync(EventId eventId, string owner) => throw new NotSupportedException();

        public Task<IReadOnlyList<FailedJob>> LoadFailedAsync(EventId eventId, int limit) => throw new NotSupportedException();

        public Task<IReadOnlyList<EventId>> EventsWithFailedAsync() => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> RequeueFailedAsync(EventId eventId, IReadOnlyList<QueuedJob> jobs, string? owner = null) => throw new NotSupportedException();

        public Task<int> DiscardFailedAsync(EventId eventId, IReadOnlyList<string>? jobIds) => throw new NotSupportedException();

        public Task<long> CountAsync(EventId eventId) => throw new NotSupportedException();

        public Task<IReadOnlyDictionary<string, string>> HeldKeysAsync(EventId eventId, IReadOnlyList<string> keys, DateTimeOffset now) =>
            throw new NotSupportedException();

        public Task ClearAsync(EventId eventId, string? owner = null) => throw new NotSupportedException();

        public Task ForgetIfEmptyAsync(EventId eventId, string? owner = null) => throw new NotSupportedException();

        public Task<IReadOnlyList<EventId>> PendingEventsAsync() => throw new NotSupportedException();
    }

    private sealed class Reports(Action<IReadOnlyList<QueuedJob>, IReadOnlyList<QueuedJob>> stored, Action<IReadOnlyList<QueuedJob>> marksFailed)
        : JobWriteBatcher.IReports
    {
        public void Stored(IReadOnlyList<QueuedJob> appended, IReadOnlyList<QueuedJob> marked, IReadOnlyList<JobRecord> ended, IReadOnlyList<KeyConflict> refused) =>
            stored(appended, marked);

        public void Failed(IReadOnlyList<QueuedJob> appended, IReadOnlyList<QueuedJob> marked, IReadOnlyList<JobRecord> ended, Exception failure)
        {
            if (marked.Count > 0) marksFailed(marked);
        }
    }
}
