using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>max_concurrency holds exactly; events never delay or cross each other.</summary>
[Collection(ClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class ConcurrencyTests(ClusterFixture fx)
{
    [Fact]
    public async Task Max_concurrency_3_with_10_emits_peaks_at_exactly_3_and_all_end_OK()
    {
        var handler = ClusterFixture.Unique("c3");
        var probe = new ConcurrencyProbe();
        fx.Handlers.Register(handler, ctx => probe.RunAsync(TimeSpan.FromMilliseconds(300)));
        // A bigger queue than the fixture's default is not needed: 3 run, the rest wait (5 fit, so emit in waves).
        var id = await fx.SaveEventAsync(handler, new Policy(MaxConcurrency: 3));

        var accepted = 0;
        while (accepted < 10)
        {
            var emitted = await fx.Api.EmitAsync(id, accepted);
            if (emitted.IsOk) accepted++;
            else
            {
                Assert.Equal(ErrorKind.QUEUE_FULL, emitted.UnwrapErr().Kind);
                await Task.Delay(20);
            }
        }
        var history = await fx.WaitForHistoryAsync(id, 10);

        Assert.All(history, r => Assert.Equal(JobStatus.OK, r.Outcome.Status));
        Assert.Equal(10, probe.Runs);
        Assert.Equal(3, probe.Peak);
    }

    [Fact]
    public async Task Max_concurrency_1_runs_serially_in_emit_order()
    {
        var handler = ClusterFixture.Unique("c1");
        var probe = new ConcurrencyProbe();
        var order = new List<int>();
        fx.Handlers.Register(handler, async ctx =>
        {
            lock (order) order.Add(ctx.PayloadAs<int>());
            await probe.RunAsync(TimeSpan.FromMilliseconds(30));
        });
        var id = await fx.SaveEventAsync(handler, new Policy(MaxConcurrency: 1));

        for (var i = 0; i < 5; i++) (await fx.Api.EmitAsync(id, i)).Unwrap();
        await fx.WaitForHistoryAsync(id, 5);

        Assert.Equal(1, probe.Peak);
        Assert.Equal([0, 1, 2, 3, 4], order);
        var status = (await fx.Api.StatusAsync(id)).Unwrap();
        Assert.Equal(0, status.QueueDepth);
        Assert.Equal(0, status.Running);
    }

    [Fact]
    public async Task A_slow_event_does_not_delay_another_event()
    {
        var slowHandler = ClusterFixture.Unique("slow");
        var fastHandler = ClusterFixture.Unique("fast");
        using var release = new SemaphoreSlim(0);
        fx.Handlers.Register(slowHandler, async ctx => { await release.WaitAsync(TimeSpan.FromSeconds(20)); });
        fx.Handlers.Register(fastHandler, ctx => "fast");
        var slow = await fx.SaveEventAsync(slowHandler, new Policy(MaxConcurrency: 1));
        var fast = await fx.SaveEventAsync(fastHandler);

        for (var i = 0; i < 3; i++) (await fx.Api.EmitAsync(slow)).Unwrap();
        var started = DateTime.UtcNow;
        (await fx.Api.EmitAsync(fast)).Unwrap();
        var fastDone = await fx.WaitForStatusAsync(fast, s => s.LastOutcome is not null, TimeSpan.FromSeconds(10));
        var elapsed = DateTime.UtcNow - started;

        Assert.Equal(JobStatus.OK, fastDone.LastOutcome!.Status);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"fast event took {elapsed}");
        var slowStatus = (await fx.Api.StatusAsync(slow)).Unwrap();
        Assert.Equal(1, slowStatus.Running);
        Assert.Equal(2, slowStatus.QueueDepth);
        Assert.Null(slowStatus.LastOutcome);
        release.Release(3);
        await fx.WaitForHistoryAsync(slow, 3);
    }

    [Fact]
    public async Task Emits_to_two_events_never_cross()
    {
        var handler = ClusterFixture.Unique("both");
        var seen = new List<(string EventId, int Value)>();
        fx.Handlers.Register(handler, ctx => { lock (seen) seen.Add((ctx.EventId.Value, ctx.PayloadAs<int>())); });
        var a = await fx.SaveEventAsync(handler, new Policy(MaxConcurrency: 2));
        var b = await fx.SaveEventAsync(handler, new Policy(MaxConcurrency: 2));

        var emits = new List<Task<Result<string>>>();
        for (var i = 0; i < 4; i++)
        {
            emits.Add(fx.Api.EmitAsync(a, 100 + i));
            emits.Add(fx.Api.EmitAsync(b, 200 + i));
        }
        Assert.All(await Task.WhenAll(emits), r => Assert.True(r.IsOk));
        await fx.WaitForHistoryAsync(a, 4);
        await fx.WaitForHistoryAsync(b, 4);

        Assert.Equal([100, 101, 102, 103], seen.Where(s => s.EventId == a.Value).Select(s => s.Value).Order());
        Assert.Equal([200, 201, 202, 203], seen.Where(s => s.EventId == b.Value).Select(s => s.Value).Order());
        var snapshot = (await fx.Api.MetricsSnapshotAsync()).Unwrap();
        Assert.Equal(4, snapshot.Counter(MetricNames.JobsSucceeded, a));
        Assert.Equal(4, snapshot.Counter(MetricNames.JobsSucceeded, b));
    }

    [Fact]
    public async Task Raising_max_concurrency_admits_queued_jobs()
    {
        var handler = ClusterFixture.Unique("raise");
        var probe = new ConcurrencyProbe();
        using var release = new SemaphoreSlim(0);
        fx.Handlers.Register(handler, async ctx => { await probe.RunAsync(TimeSpan.Zero); await release.WaitAsync(TimeSpan.FromSeconds(20)); });
        var id = await fx.SaveEventAsync(handler, new Policy(MaxConcurrency: 1));
        for (var i = 0; i < 4; i++) (await fx.Api.EmitAsync(id)).Unwrap();
        await fx.WaitForStatusAsync(id, s => s.Running == 1 && s.QueueDepth == 3);

        var definition = (await fx.Api.GetEventAsync(id)).Unwrap();
        (await fx.Api.UpdateEventAsync(definition with { Policy = new Policy(MaxConcurrency: 4) })).Unwrap();

        var status = await fx.WaitForStatusAsync(id, s => s.Running == 4);
        Assert.Equal(0, status.QueueDepth);
        release.Release(4);
        await fx.WaitForHistoryAsync(id, 4);
    }

    [Fact]
    public async Task Rate_limit_spreads_starts_over_time()
    {
        var handler = ClusterFixture.Unique("rate");
        var starts = new List<DateTime>();
        fx.Handlers.Register(handler, ctx => { lock (starts) starts.Add(DateTime.UtcNow); });
        // 4 per second with a burst of 4: 5 jobs emitted at once take at least 0.25 s, and the fifth waits.
        var id = await fx.SaveEventAsync(handler, new Policy(MaxConcurrency: 10, RateLimitPerSec: 4));

        for (var i = 0; i < 5; i++) (await fx.Api.EmitAsync(id, i)).Unwrap();
        await fx.WaitForHistoryAsync(id, 5);

        var ordered = starts.Order().ToList();
        Assert.Equal(5, ordered.Count);
        Assert.True(ordered[4] - ordered[0] >= TimeSpan.FromMilliseconds(200), $"five starts within {ordered[4] - ordered[0]}");
        Assert.True(ordered[3] - ordered[0] < TimeSpan.FromMilliseconds(200), "the burst of four should start at once");
    }
}
