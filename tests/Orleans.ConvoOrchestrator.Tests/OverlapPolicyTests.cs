using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Overlap policies on a fake clock: a 1 s INTERVAL trigger on a handler that takes 5.5 s (5.5, not 5: an end and a
/// fire at the same instant would race), one run at a time, for 10 s. Time moves in half seconds and each step
/// waits until the cluster has done what that instant implies, so the counts below are exact.
/// </summary>
[Collection(FakeClockClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class OverlapPolicyTests(FakeClockClusterFixture fx)
{
    private static readonly TimeSpan HandlerTime = TimeSpan.FromSeconds(5.5);

    [Theory]
    // policy, then at t = 10 s: queued, running, succeeded, skipped
    [InlineData(OverlapPolicy.AllowAll, 8, 1, 1, 0)]
    [InlineData(OverlapPolicy.Skip, 0, 1, 1, 8)]
    [InlineData(OverlapPolicy.BufferOne, 1, 1, 1, 7)]
    public async Task A_slow_handler_under_each_overlap_policy(OverlapPolicy policy, int queued, int running, int succeeded, int skipped)
    {
        var started = 0;
        var endsAt = new System.Collections.Concurrent.ConcurrentBag<DateTimeOffset>();
        var slow = new EventId(ClusterFixture.Unique("slow"));
        var handler = ClusterFixture.Unique("slow");
        fx.Handlers.Register(handler, async (EventContext _) =>
        {
            var done = Task.Delay(HandlerTime, fx.Clock); // registered before it is counted: the test moves time after
            endsAt.Add(fx.Clock.GetUtcNow() + HandlerTime);
            Interlocked.Increment(ref started);
            await done;
        });
        (await fx.Api.SaveEventAsync(new Event(slow, "slow", handler, new Policy(MaxConcurrency: 1, TimeoutSec: 60)))).Unwrap();
        // A second event on the same trigger, with a quick handler: the policy is applied per event, so it runs every fire.
        var quickRuns = new List<EventContext>();
        var quick = await fx.RecordingEventAsync(quickRuns);
        var trigger = new Trigger(new TriggerId(ClusterFixture.Unique("ov")), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(1), Overlap: policy);
        (await fx.Api.AttachTriggerAsync(slow, trigger)).Unwrap();
        (await fx.Api.AttachTriggerAsync(quick, trigger)).Unwrap();

        for (var half = 1; half <= 20; half++)
        {
            fx.Advance(TimeSpan.FromSeconds(0.5));
            var fires = half / 2;
            await fx.WaitForTriggerAsync(trigger.Id, s => s.FireCount == fires);
            await Eventually.TrueAsync(async () =>
            {
                var status = (await fx.Api.StatusAsync(slow)).Unwrap();
                var history = (await fx.Api.HistoryAsync(slow)).Unwrap();
                var ok = history.Count(r => r.Outcome.Status == JobStatus.OK);
                var quickDone = (await fx.Api.HistoryAsync(quick)).Unwrap().Count;
                return quickDone == fires // the quick event's run of this fire ended before the next fire
                    && status.QueueDepth + status.Running + history.Count == fires // every fire accepted or skipped
                    && (status.QueueDepth == 0 || status.Running == 1) // nothing waits for a free slot
                    && Volatile.Read(ref started) == status.Running + ok // every run has started its clock
                    && endsAt.Count(end => end <= fx.Clock.GetUtcNow()) == ok; // every run due to end has reported (a
                                                                               // busy machine may take a while)
            }, TimeSpan.FromSeconds(20), $"the fires up to {half * 0.5} s to settle");
        }

        var final = (await fx.Api.StatusAsync(slow)).Unwrap();
        var records = (await fx.Api.HistoryAsync(slow)).Unwrap();
        Assert.Equal(queued, final.QueueDepth);
        Assert.Equal(running, final.Running);
        Assert.Equal(succeeded, records.Count(r => r.Outcome.Status == JobStatus.OK));
        var skips = records.Where(r => r.Outcome.Status == JobStatus.SKIPPED).ToList();
        Assert.Equal(skipped, skips.Count);
        Assert.All(skips, r => Assert.Equal(ErrorKind.CONFLICT, r.Outcome.Error?.Kind));
        Assert.All(skips, r => Assert.Equal(trigger.Id, r.TriggerId));
        Assert.Equal(running + succeeded, started);
        await Eventually.TrueAsync(async () => (await fx.Api.MetricsSnapshotAsync()).Unwrap().Counter(MetricNames.JobsSkipped, slow) == skipped,
            TimeSpan.FromSeconds(20), "the skips to be counted");

        Assert.All((await fx.Api.HistoryAsync(quick)).Unwrap(), r => Assert.Equal(JobStatus.OK, r.Outcome.Status));
        lock (quickRuns) Assert.Equal(10, quickRuns.Count);
        (await fx.Api.RemoveEventAsync(slow)).Unwrap();
        (await fx.Api.RemoveEventAsync(quick)).Unwrap();
    }

    [Fact]
    public async Task Under_CancelOther_each_fire_cancels_the_run_before_it_and_runs_instead()
    {
        var started = 0;
        var stopped = 0;
        var slow = new EventId(ClusterFixture.Unique("slow"));
        var handler = ClusterFixture.Unique("slow");
        fx.Handlers.Register(handler, async (EventContext ctx) =>
        {
            var done = Task.Delay(HandlerTime, fx.Clock, ctx.CancellationToken);
            Interlocked.Increment(ref started);
            try
            {
                await done;
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref stopped);
                throw;
            }
        });
        (await fx.Api.SaveEventAsync(new Event(slow, "slow", handler, new Policy(MaxConcurrency: 1, TimeoutSec: 60)))).Unwrap();
        var trigger = new Trigger(new TriggerId(ClusterFixture.Unique("ov")), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(1), Overlap: OverlapPolicy.CancelOther);
        (await fx.Api.AttachTriggerAsync(slow, trigger)).Unwrap();

        for (var half = 1; half <= 20; half++)
        {
            fx.Advance(TimeSpan.FromSeconds(0.5));
            var fires = half / 2;
            await fx.WaitForTriggerAsync(trigger.Id, s => s.FireCount == fires);
            await Eventually.TrueAsync(async () =>
            {
                var status = (await fx.Api.StatusAsync(slow)).Unwrap();
                var cancelled = (await fx.Api.HistoryAsync(slow)).Unwrap().Count(r => r.Outcome.Status == JobStatus.CANCELLED);
                // The fire's own run has started, and every earlier one was cancelled and has stopped.
                return Volatile.Read(ref started) == fires && Volatile.Read(ref stopped) == Math.Max(0, fires - 1)
                    && cancelled == Math.Max(0, fires - 1) && status.QueueDepth == 0 && status.Running == Math.Min(1, fires);
            }, TimeSpan.FromSeconds(20), $"the fires up to {half * 0.5} s to settle");
        }

        var records = (await fx.Api.HistoryAsync(slow)).Unwrap();
        Assert.Equal(9, records.Count);
        Assert.All(records, r => Assert.Contains("overlap policy CancelOther", r.Outcome.Error!.Message));
        Assert.Equal(1, (await fx.Api.StatusAsync(slow)).Unwrap().Running);
        (await fx.Api.RemoveEventAsync(slow)).Unwrap();
    }
}
