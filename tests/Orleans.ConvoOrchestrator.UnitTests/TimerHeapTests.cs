using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class TimerHeapTests
{
    [Fact]
    public void Due_keys_come_out_earliest_first_and_later_ones_wait()
    {
        var heap = new TimerHeap<string>();
        heap.Set("c", 30);
        heap.Set("a", 10);
        heap.Set("b", 20);
        Assert.Equal(10, heap.NextDue);

        var due = new List<string>();
        Assert.Equal(2, heap.TakeDue(20, due));
        Assert.Equal(["a", "b"], due);
        Assert.Equal(1, heap.Count);
        Assert.Equal(30, heap.NextDue);
        Assert.Equal(0, heap.TakeDue(29, due));
    }

    [Fact]
    public void Setting_a_key_again_moves_it_and_its_old_due_time_is_forgotten()
    {
        var heap = new TimerHeap<string>();
        heap.Set("a", 10);
        heap.Set("a", 50);
        Assert.Equal(50, heap.NextDue);
        var due = new List<string>();
        Assert.Equal(0, heap.TakeDue(40, due));
        heap.Set("a", 5); // earlier again
        Assert.Equal(1, heap.TakeDue(60, due));
        Assert.Equal(["a"], due); // once, not once per due time it had
        Assert.Null(heap.NextDue);
    }

    [Fact]
    public void A_removed_key_never_comes_out()
    {
        var heap = new TimerHeap<string>();
        heap.Set("a", 10);
        heap.Set("b", 20);
        Assert.True(heap.Remove("a"));
        Assert.False(heap.Remove("a"));
        Assert.Equal(20, heap.NextDue);
        var due = new List<string>();
        heap.TakeDue(100, due);
        Assert.Equal(["b"], due);
        Assert.Equal(0, heap.Count);
    }

    [Fact]
    public void Stale_entries_are_dropped_once_they_outnumber_the_live_keys()
    {
        var heap = new TimerHeap<int>();
        for (var round = 0; round < 1_000; round++)
        for (var key = 0; key < 10; key++)
            heap.Set(key, 1_000_000 + round); // each move leaves its old entry behind
        Assert.Equal(10, heap.Count);
        Assert.True(heap.EntryCount <= 64 + 2 * heap.Count, $"{heap.EntryCount} entries for {heap.Count} keys");
        var due = new List<int>();
        heap.TakeDue(long.MaxValue, due);
        Assert.Equal(Enumerable.Range(0, 10), due.Order());
    }
}
