using Orleans.ConvoOrchestrator.Tests.Support;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>The user's guide, step for step, with the guide's names.</summary>
[Trait(Lane.Name, Lane.Cluster)]
public sealed class GuideFlowTests
{
    [Fact]
    public async Task Guide_steps_run_and_report_OK_with_metrics()
    {
        // 2. infra
        var repo = new InMemoryEventRepository();
        var metrics = new InMemoryMetrics();
        var clock = new SystemClock();
        var registry = new HandlerRegistry();

        // 3. handler
        var seen = new List<string>();
        registry.Register("my-handler", ctx =>
        {
            lock (seen) seen.Add(ctx.Payload.GetProperty("msg").GetString()!);
            return "done";
        });

        // 4. event
        var ev = new Event(
            Id: new EventId("ev-hello"),
            Name: "hello-event",
            HandlerName: "my-handler",
            Policy: new Policy(TimeoutSec: 2.0, MaxRetries: 0, MaxConcurrency: 1),
            Active: true);
        repo.SaveEvent(ev).Unwrap();

        // 5. trigger
        var trig = new Trigger(Id: new TriggerId("tr-hello"), Kind: TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(10), Active: true);
        var sub = repo.AttachTrigger(ev.Id, trig).Unwrap();
        Assert.Equal("ev-hello/tr-hello", sub.Value);

        // 6. start
        var mgr = new EventManager(repo: repo, handlerRegistry: registry, clock: clock, metrics: metrics, schedulerTickMs: 100);
        mgr.Start();

        // 7. emit
        var jobId = (await mgr.EmitAsync(ev.Id, payload: new { msg = "manual trigger" })).Unwrap();
        Assert.False(string.IsNullOrEmpty(jobId));
        await Task.Delay(500);
        await mgr.StopAsync();

        // 8. status and metrics
        var status = mgr.Status(ev.Id).Unwrap();
        Assert.NotNull(status.LastOutcome);
        Assert.Equal(JobStatus.OK, status.LastOutcome!.Status);
        Assert.Equal("done", status.LastOutcome.ResultPreview);
        Assert.Equal(["manual trigger"], seen);

        var snapshot = metrics.Snapshot();
        Assert.Equal(1, snapshot.Counter(MetricNames.JobsSucceeded, ev.Id));
        Assert.Equal(1, snapshot.Counter(MetricNames.JobsEnqueued, ev.Id));
        Assert.Equal(1, snapshot.Counter(MetricNames.JobsStarted, ev.Id));
        Assert.Single(repo.ListTriggers(ev.Id).Unwrap());
    }
}
