using System.Collections.Concurrent;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Jobs whose retries ran out go to their event's failed list with their payload; an operator requeues them (they run
/// again under their own id, as a new delivery) or discards them, one, several or all.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class FailedJobsTests(ClusterFixture fx)
{
    // Fails every attempt of a first delivery; succeeds on a later one (after a requeue).
    private (string Handler, ConcurrentQueue<(string JobId, int Delivery, int Attempt)> Runs) FailingFirstTime()
    {
        var handler = ClusterFixture.Unique("flaky");
        var runs = new ConcurrentQueue<(string, int, int)>();
        fx.Handlers.Register(handler, ctx =>
        {
            runs.Enqueue((ctx.JobId, ctx.Delivery, ctx.Attempt));
            if (ctx.Delivery == 1) throw new InvalidOperationException($"payment {ctx.Payload.GetProperty("n")} declined");
        });
        return (handler, runs);
    }

    [Fact]
    public async Task Exhausted_jobs_are_listed_requeued_to_run_again_and_discarded()
    {
        var (handler, runs) = FailingFirstTime();
        var ev = await fx.SaveEventAsync(handler, new Policy(MaxRetries: 1, MaxConcurrency: 3));
        var ids = new List<string>();
        for (var n = 1; n <= 3; n++) ids.Add((await fx.Api.EmitAsync(ev, new { n })).Unwrap());
        await fx.WaitForHistoryAsync(ev, 3);

        var failed = (await fx.Api.ListFailedJobsAsync(ev)).Unwrap();
        Assert.Equal(ids.Order(), failed.Select(f => f.JobId).Order());
        var first = failed.Single(f => f.JobId == ids[0]);
        Assert.Equal("{\"n\":1}", first.PayloadJson);
        Assert.Equal(2, first.Attempts);
        Assert.Equal(ErrorKind.HANDLER_EXEC_ERROR, first.Outcome.Error!.Kind);
        Assert.Contains("payment 1 declined", first.Outcome.Error.Message);
        Assert.Contains((await fx.Api.ListFailedJobsAsync()).Unwrap(), f => f.JobId == ids[0] && f.EventId == ev); // the cluster-wide view

        // One requeued: it runs again under its id, as delivery 2, and leaves the list.
        Assert.Equal(1, (await fx.Api.RequeueFailedJobsAsync(ev, [ids[0], "never-failed"])).Unwrap());
        await Eventually.TrueAsync(async () => (await fx.Api.HistoryAsync(ev)).Unwrap().Any(r => r.JobId == ids[0] && r.Outcome.Status == JobStatus.OK),
            TimeSpan.FromSeconds(20), "the requeued job to succeed");
        Assert.Contains((ids[0], 2, 1), runs);
        Assert.Equal(0, (await fx.Api.RequeueFailedJobsAsync(ev, [ids[0]])).Unwrap()); // gone from the list: nothing to requeue
        Assert.Equal(ids.Skip(1).Order(), (await fx.Api.ListFailedJobsAsync(ev)).Unwrap().Select(f => f.JobId).Order());

        // One discarded, then the rest requeued at once.
        Assert.Equal(1, (await fx.Api.DiscardFailedJobsAsync(ev, [ids[1]])).Unwrap());
        Assert.Equal(1, (await fx.Api.RequeueFailedJobsAsync(ev)).Unwrap());
        await Eventually.TrueAsync(async () => (await fx.Api.HistoryAsync(ev)).Unwrap().Count(r => r.Outcome.Status == JobStatus.OK) == 2,
            TimeSpan.FromSeconds(20), "the second requeued job to succeed");
        Assert.Empty((await fx.Api.ListFailedJobsAsync(ev)).Unwrap());
        Assert.DoesNotContain(runs, r => r.JobId == ids[1] && r.Delivery == 2); // the discarded one never ran again
        await Eventually.MatchAsync(async () => (await fx.Api.MetricsSnapshotAsync()).Unwrap(),
            m => m.Counter(MetricNames.JobsRequeued, ev) == 2 && m.Counter(MetricNames.JobsDiscarded, ev) == 1, TimeSpan.FromSeconds(20), "requeues and discards counted", 100);
    }

    [Fact]
    public async Task Discarding_all_empties_the_list_and_bad_input_changes_nothing()
    {
        var (handler, _) = FailingFirstTime();
        var ev = await fx.SaveEventAsync(handler);
        for (var n = 1; n <= 2; n++) (await fx.Api.EmitAsync(ev, new { n })).Unwrap();
        await fx.WaitForHistoryAsync(ev, 2);

        Assert.Equal(ErrorKind.VALIDATION, (await fx.Api.ListFailedJobsAsync(ev, limit: 0)).Error!.Kind);
        Assert.Equal(ErrorKind.VALIDATION, (await fx.Api.RequeueFailedJobsAsync(ev, [""])).Error!.Kind);
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.ListFailedJobsAsync(new EventId(ClusterFixture.Unique("none")))).Error!.Kind);
        Assert.Equal(2, (await fx.Api.ListFailedJobsAsync(ev)).Unwrap().Count);
        Assert.Equal(2, (await fx.Api.DiscardFailedJobsAsync(ev)).Unwrap());
        Assert.Empty((await fx.Api.ListFailedJobsAsync(ev)).Unwrap());
        Assert.Equal(0, (await fx.Api.DiscardFailedJobsAsync(ev)).Unwrap());
    }
}
