namespace Orleans.ConvoOrchestrator.Runtime.Setup;

/// <summary>
/// Runs one call per item with at most a fixed number in flight, answers in the items' order. Lanes take the next
/// item as theirs ends, so a slow call holds up one lane, not a whole wave. Safe on a grain's single-threaded
/// scheduler (the calls start on the caller's context) and on the thread pool.
/// </summary>
internal static class BoundedFanOut
{
    /// <summary>Calls <paramref name="call"/> for every item, at most <paramref name="limit"/> at once; an exception ends its lane and is thrown once all lanes stopped.</summary>
    public static async Task<TResult[]> RunAsync<TItem, TResult>(IReadOnlyList<TItem> items, int limit, Func<TItem, int, Task<TResult>> call)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var results = new TResult[items.Count];
        var next = -1;
        async Task LaneAsync()
        {
            for (var i = Interlocked.Increment(ref next); i < items.Count; i = Interlocked.Increment(ref next))
                results[i] = await call(items[i], i);
        }
        var lanes = new Task[Math.Min(limit, items.Count)];
        for (var l = 0; l < lanes.Length; l++) lanes[l] = LaneAsync();
        await Task.WhenAll(lanes);
        return results;
    }
}
