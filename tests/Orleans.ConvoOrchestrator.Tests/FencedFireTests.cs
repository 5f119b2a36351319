using Orleans.ConvoOrchestrator.Runtime.Grains;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// On a store that outlives the process, a scheduled fire carries its trigger instant's idempotency key: two fires of
/// one instant (a stale trigger activation and its successor, or a successor catching up what its predecessor fired)
/// queue one job, whether the first one's job is still in the event's table or already ended; the next instant is a
/// job of its own.
/// </summary>
[Trait(Lane.Name, Lane.Cluster)]
public sealed class FencedFireTests(LostAnswerClusterFixture fx) : IClassFixture<LostAnswerClusterFixture>
{
    [Fact]
    public async Task Two_fires_of_one_trigger_instant_queue_one_job()
    {
        var handler = ClusterFixture.Unique("fired");
        using var gate = new SemaphoreSlim(0);
        fx.Handlers.Register(handler, async ctx => await gate.WaitAsync(TimeSpan.FromSeconds(20)));
        var ev = new EventId(ClusterFixture.Unique("ev"));
        (await fx.Api.SaveEventAsync(new Event(ev, "fenced fires", handler, new Policy(MaxConcurrency: 4)))).Unwrap();
        var events = fx.Cluster.Client.GetGrain<IEventJobsGrain>(ev.Value);
        var trigger = new TriggerId("every-second");
        var instant = DateTimeOffset.UtcNow;

        // The same instant fired twice while its first job runs, as two activations of the trigger would.
        await events.FireAsync("null", new EmitOptions(TriggerId: trigger, ScheduledAt: instant));
        await events.FireAsync("null", new EmitOptions(TriggerId: trigger, ScheduledAt: instant.ToOffset(TimeSpan.FromHours(2))));
        gate.Release(3);
        await fx.WaitForHistoryAsync(ev, 1);
        // Once more after it ended (the store's key refuses it), then the next instant.
        await events.FireAsync("null", new EmitOptions(TriggerId: trigger, ScheduledAt: instant));
        await events.FireAsync("null", new EmitOptions(TriggerId: trigger, ScheduledAt: instant.AddSeconds(1)));

        await fx.WaitForHistoryAsync(ev, 2);
        await Task.Delay(300); // a second job of the first instant, if one were queued, would have ended by now
        var history = (await fx.Api.HistoryAsync(ev, 10)).Unwrap();
        Assert.Equal(2, history.Count);
        Assert.All(history, r => Assert.Equal(trigger, r.TriggerId));
    }
}
