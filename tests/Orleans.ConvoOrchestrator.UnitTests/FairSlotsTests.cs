using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>The silo's run slots: shared round-robin between events, FIFO within one, never more than their number.</summary>
public sealed class FairSlotsTests
{
    private static readonly EventId A = new("a");
    private static readonly EventId B = new("b");
    private static readonly EventId C = new("c");

    [Fact]
    public async Task A_free_slot_is_taken_at_once_and_given_back()
    {
        var slots = new FairSlots(2);
        var first = slots.AcquireAsync(A, CancellationToken.None);
        var second = slots.AcquireAsync(B, CancellationToken.None);
        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.Equal(2, slots.Held);
        slots.Release();
        slots.Release();
        Assert.Equal(0, slots.Held);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Task.Run(slots.Release));
    }

    [Fact]
    public async Task Freed_slots_go_round_robin_between_events_and_in_order_within_one()
    {
        var slots = new FairSlots(1);
        await slots.AcquireAsync(A, CancellationToken.None);
        var granted = new List<string>();
        var waits = new List<Task>();
        // A floods first; B and C come after: they must not wait for all of A's jobs.
        foreach (var (ev, name) in new[] { (A, "a1"), (A, "a2"), (A, "a3"), (A, "a4"), (B, "b1"), (B, "b2"), (C, "c1") })
            waits.Add(Granted(slots.AcquireAsync(ev, CancellationToken.None), name, granted));
        Assert.Equal(7, slots.Waiting);

        for (var i = 0; i < 7; i++)
        {
            var count = granted.Count;
            slots.Release(); // the holder leaves; the next in turn gets the slot
            await Until(() => { lock (granted) return granted.Count == count + 1; });
            Assert.Equal(1, slots.Held);
        }
        Assert.Equal(["a1", "b1", "c1", "a2", "b2", "a3", "a4"], granted);
        slots.Release();
        Assert.Equal(0, slots.Held);
        await Task.WhenAll(waits);
    }

    [Fact]
    public async Task Never_more_than_the_capacity_is_held_at_once()
    {
        var slots = new FairSlots(3);
        var holding = 0;
        var most = 0;
        var events = Enumerable.Range(0, 5).Select(i => new EventId("e" + i)).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(async () =>
        {
            await slots.AcquireAsync(events[i % events.Length], CancellationToken.None);
            var now = Interlocked.Increment(ref holding);
            InterlockedMax(ref most, now);
            await Task.Delay(2);
            Interlocked.Decrement(ref holding);
            slots.Release();
        })));
        Assert.InRange(most, 1, 3);
        Assert.Equal(0, slots.Held);
        Assert.Equal(0, slots.Waiting);
    }

    [Fact]
    public async Task A_cancelled_waiter_takes_no_slot_and_the_next_one_gets_it()
    {
        var slots = new FairSlots(1);
        await slots.AcquireAsync(A, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = slots.AcquireAsync(B, cancel.Token).AsTask();
        var next = slots.AcquireAsync(C, CancellationToken.None).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, slots.Waiting);
        slots.Release();
        await next.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, slots.Held);
        slots.Release();
        Assert.Equal(0, slots.Held);
    }

    [Fact]
    public async Task An_already_cancelled_wait_never_takes_a_slot_even_a_free_one()
    {
        var slots = new FairSlots(1);
        var wait = slots.AcquireAsync(A, new CancellationToken(canceled: true));
        Assert.True(wait.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.AsTask());
        Assert.Equal(0, slots.Held);
    }

    [Fact]
    public async Task A_slot_let_go_for_a_backoff_lets_another_event_in_and_the_retry_waits_its_turn()
    {
        var slots = new FairSlots(1);
        using var retrying = new RunSlot(slots, A);
        await retrying.AcquireAsync(CancellationToken.None);
        var other = slots.AcquireAsync(B, CancellationToken.None).AsTask();
        Assert.False(other.IsCompleted);

        retrying.Release(); // waits out its backoff without the slot
        await other.WaitAsync(TimeSpan.FromSeconds(10));
        var again = retrying.AcquireAsync(CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(again.IsCompleted); // behind B's running job, not ahead of it
        slots.Release(); // B's job ends
        await again.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(retrying.Held);
    }

    private static async Task Granted(ValueTask wait, string name, List<string> granted)
    {
        await wait;
        lock (granted) granted.Add(name);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition never held");
            await Task.Delay(2);
        }
    }
}
