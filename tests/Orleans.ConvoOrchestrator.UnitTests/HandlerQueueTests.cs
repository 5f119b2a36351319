using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>Calls waiting for a handler thread are taken round-robin between events, in order within one.</summary>
public sealed class HandlerQueueTests
{
    [Fact]
    public void A_burst_of_one_event_does_not_put_another_events_call_behind_it()
    {
        var queue = new HandlerQueue();
        foreach (var (ev, job) in new[] { ("a", "a1"), ("a", "a2"), ("a", "a3"), ("b", "b1"), ("a", "a4"), ("c", "c1") })
            queue.Enqueue(Call(ev, job));
        Assert.Equal(6, queue.Count);
        var oldest = queue.OldestQueuedAt();
        Assert.NotNull(oldest);

        var order = new List<string>();
        while (queue.TryDequeue(out var call)) order.Add(call.JobId);
        Assert.Equal(["a1", "b1", "c1", "a2", "a3", "a4"], order);
        Assert.True(queue.IsEmpty);
        Assert.Null(queue.OldestQueuedAt());
    }

    private static HandlerCall Call(string eventId, string jobId) =>
        new((_, _) => Task.FromResult<object?>(null), null!, new EventContext(new EventId(eventId), null, jobId, "null", "corr", DateTimeOffset.UnixEpoch, 1, default));
}
