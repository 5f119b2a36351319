using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>A handler that outlives its timeout while holding its thread is visible: in status and in a metric.</summary>
[Trait(Lane.Name, Lane.Cluster)]
public sealed class AbandonedRunTests
{
    [Fact]
    public async Task Runs_past_their_timeout_that_hold_a_thread_are_counted_until_their_handlers_return()
    {
        using var gate = new ManualResetEventSlim();
        var registry = new HandlerRegistry().Register("stuck", (Action<EventContext>)(_ => gate.Wait(TimeSpan.FromSeconds(60))));
        var repo = new InMemoryEventRepository();
        var ev = new Event(new EventId("stuck"), "stuck", "stuck", new Policy(TimeoutSec: 0.3, MaxConcurrency: 3));
        repo.SaveEvent(ev).Unwrap();
        var metrics = new InMemoryMetrics();
        await using var mgr = new EventManager(repo, registry, new SystemClock(), metrics);
        await mgr.StartAsync();
        try
        {
            for (var i = 0; i < 3; i++) (await mgr.EmitAsync(ev.Id)).Unwrap();

            var status = await Eventually.MatchAsync(async () => (await mgr.StatusAsync(ev.Id)).Unwrap(), s => s.Abandoned == 3 && s.Running == 0,
                TimeSpan.FromSeconds(30), "3 abandoned runs whose jobs ended"); // only their threads are still held
            Assert.Equal(ErrorKind.TIMEOUT, status.LastOutcome!.Error!.Kind);
            var snapshot = (await mgr.MetricsSnapshotAsync()).Unwrap();
            Assert.Equal(3, snapshot.Counter(MetricNames.JobsAbandoned, ev.Id));

            gate.Set();
            await Eventually.MatchAsync(async () => (await mgr.StatusAsync(ev.Id)).Unwrap(), s => s.Abandoned == 0,
                TimeSpan.FromSeconds(30), "the abandoned runs to let their threads go");
        }
        finally
        {
            gate.Set();
        }
    }

    [Fact]
    public async Task An_async_handler_that_ignores_its_token_holds_no_thread_and_is_not_counted()
    {
        var registry = new HandlerRegistry().Register("deaf", async (EventContext _) => await Task.Delay(TimeSpan.FromSeconds(30)));
        var repo = new InMemoryEventRepository();
        var ev = new Event(new EventId("deaf"), "deaf", "deaf", new Policy(TimeoutSec: 0.3));
        repo.SaveEvent(ev).Unwrap();
        await using var mgr = new EventManager(repo, registry, new SystemClock(), new InMemoryMetrics());
        await mgr.StartAsync();

        (await mgr.EmitAsync(ev.Id)).Unwrap();
        var status = await Eventually.MatchAsync(async () => (await mgr.StatusAsync(ev.Id)).Unwrap(), s => s.LastOutcome is not null,
            TimeSpan.FromSeconds(30), "the timeout");
        Assert.Equal(ErrorKind.TIMEOUT, status.LastOutcome!.Error!.Kind);
        Assert.Equal(0, status.Abandoned);
    }
}
