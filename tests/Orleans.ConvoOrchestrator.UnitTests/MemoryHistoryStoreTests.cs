using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>The embedded history store keeps the newest records per event, in order, within the bound it is given.</summary>
public sealed class MemoryHistoryStoreTests
{
    private static readonly EventId Ev = new("ev");

    private static JobRecord Rec(int n) => new($"job-{n}", null, DateTimeOffset.UnixEpoch.AddSeconds(n),
        new JobOutcome(JobStatus.OK, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch));

    private static async Task<List<string>> Ids(MemoryHistoryStore store, int limit) =>
        (await store.LoadAsync(Ev, limit)).Select(r => r.JobId).ToList();

    [Fact]
    public async Task Keeps_the_newest_records_oldest_first_once_it_wraps()
    {
        var store = new MemoryHistoryStore();
        for (var i = 0; i < 25; i++) store.Append(Ev, [Rec(i)], keep: 10);

        Assert.Equal(Enumerable.Range(15, 10).Select(i => $"job-{i}"), await Ids(store, 100));
        Assert.Equal(["job-22", "job-23", "job-24"], await Ids(store, 3));
    }

    [Theory]
    [InlineData(100, 250)] // many chunks, wrapped more than twice
    [InlineData(13, 20)] // a last chunk shorter than the others
    [InlineData(8, 8)] // exactly one full chunk, not wrapped
    public async Task Keeps_order_across_its_chunks_whatever_the_bound(int keep, int records)
    {
        var store = new MemoryHistoryStore();
        for (var i = 0; i < records; i++)
        {
            store.Append(Ev, [Rec(i)], keep);
            var held = Math.Min(keep, i + 1);
            Assert.Equal(Enumerable.Range(i + 1 - held, held).Select(n => $"job-{n}"), await Ids(store, keep));
        }
    }

    [Fact]
    public async Task A_batch_larger_than_the_bound_keeps_its_newest_and_a_smaller_bound_drops_the_oldest()
    {
        var store = new MemoryHistoryStore();
        store.Append(Ev, Enumerable.Range(0, 7).Select(Rec).ToList(), keep: 5);
        Assert.Equal(Enumerable.Range(2, 5).Select(i => $"job-{i}"), await Ids(store, 10));

        store.Append(Ev, [Rec(7)], keep: 3);
        Assert.Equal(["job-5", "job-6", "job-7"], await Ids(store, 10));

        // A larger bound keeps what is there and grows: nothing dropped earlier comes back.
        store.Append(Ev, [Rec(8), Rec(9)], keep: 6);
        Assert.Equal(["job-5", "job-6", "job-7", "job-8", "job-9"], await Ids(store, 10));
    }

    [Fact]
    public async Task Events_are_apart_and_a_cleared_event_has_no_history()
    {
        var store = new MemoryHistoryStore();
        store.Append(Ev, [Rec(1)], keep: 10);
        store.Append(new EventId("other"), [Rec(2)], keep: 10);
        await store.ClearAsync(Ev);

        Assert.Empty(await store.LoadAsync(Ev, 10));
        Assert.Equal(["job-2"], (await store.LoadAsync(new EventId("other"), 10)).Select(r => r.JobId));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Append(Ev, [Rec(3)], keep: 0));
    }

    [Fact]
    public async Task Every_field_of_a_record_comes_back_whatever_the_form_of_its_id()
    {
        var store = new MemoryHistoryStore();
        var at = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.FromHours(1));
        var failed = new JobOutcome(JobStatus.ERR, at.AddSeconds(1), at.AddSeconds(3), new AppError(ErrorKind.TIMEOUT, "too slow"),
            Retries: 2, ResultPreview: "partial", Delivery: 3);
        // A grain-made id (a Guid's 32 lowercase hex digits), look-alikes that are not one, and a free-form id.
        var ids = new[] { Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N").ToUpperInvariant(), new string('g', 32), "order-42" };
        var records = ids.Select((id, i) => new JobRecord(id, i % 2 == 0 ? new TriggerId("tr-1") : null, at.AddMinutes(i),
            i == 0 ? failed : new JobOutcome(JobStatus.OK, at, at))).ToList();
        store.Append(Ev, records, keep: 10);

        Assert.Equal(records, await store.LoadAsync(Ev, 10));
    }

    [Fact]
    public async Task A_repeated_append_lists_each_run_once_whatever_order_the_runs_ended_in()
    {
        var store = new MemoryHistoryStore();
        JobRecord Ending(string id, int second, int delivery = 1) => new(id, null, DateTimeOffset.UnixEpoch,
            new JobOutcome(JobStatus.OK, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(second), Delivery: delivery));
        // Ends reported out of order, and two runs ending at the same instant.
        var batch = new List<JobRecord> { Ending("a", 5), Ending("b", 3), Ending("c", 5), Ending("a", 4, delivery: 2) };
        store.Append(Ev, batch, keep: 10);
        store.Append(Ev, batch, keep: 10); // the same write again, as after a lost answer
        store.Append(Ev, [Ending("b", 3)], keep: 10);

        Assert.Equal(["a/1", "b/1", "c/1", "a/2"], (await store.LoadAsync(Ev, 10)).Select(r => $"{r.JobId}/{r.Outcome.Delivery}"));
    }
}
