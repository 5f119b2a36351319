using Orleans.ConvoOrchestrator.Runtime.Setup;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>The bulk set-up's fan-out: never more calls in flight than the bound, answers in the items' order.</summary>
public sealed class BoundedFanOutTests
{
    [Fact]
    public async Task At_most_the_limit_run_at_once_and_results_keep_the_items_order()
    {
        var inFlight = 0;
        var most = 0;
        var items = Enumerable.Range(0, 200).ToList();
        var results = await BoundedFanOut.RunAsync(items, 8, async (item, index) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            await Task.Delay(item % 3);
            Interlocked.Decrement(ref inFlight);
            return item * 10 + (index == item ? 0 : 1);
        });
        Assert.Equal(items.Select(i => i * 10), results);
        Assert.InRange(most, 1, 8);
    }

    [Fact]
    public async Task Fewer_items_than_the_limit_and_no_items_work()
    {
        var two = await BoundedFanOut.RunAsync([1, 2], 100, (i, _) => Task.FromResult(i));
        Assert.Equal([1, 2], two);
        Assert.Empty(await BoundedFanOut.RunAsync(Array.Empty<int>(), 4, (i, _) => Task.FromResult(i)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => BoundedFanOut.RunAsync([1], 0, (i, _) => Task.FromResult(i)));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
    }
}
