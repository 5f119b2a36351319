using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>What emit accepts and what it refuses.</summary>
[Collection(ClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class EmitTests(ClusterFixture fx)
{
    [Fact]
    public async Task Inactive_event_rejects_emits_with_NOT_ACTIVE_and_resumes()
    {
        var handler = ClusterFixture.Unique("h");
        fx.Handlers.Register(handler, ctx => "ran");
        var id = await fx.SaveEventAsync(handler, active: false);

        var emitted = await fx.Api.EmitAsync(id);

        Assert.Equal(ErrorKind.NOT_ACTIVE, emitted.UnwrapErr().Kind);
        var status = (await fx.Api.StatusAsync(id)).Unwrap();
        Assert.False(status.Active);
        Assert.Equal(0, status.QueueDepth);
        Assert.Equal(1, (await fx.Api.MetricsSnapshotAsync()).Unwrap().Counters
            .Single(c => c.Name == MetricNames.JobsRejected && c.Labels[MetricNames.EventIdLabel] == id.Value).Value);

        (await fx.Api.SetEventActiveAsync(id, true)).Unwrap();
        (await fx.Api.EmitAsync(id)).Unwrap();
        Assert.Equal(JobStatus.OK, (await fx.WaitForHistoryAsync(id, 1))[0].Outcome.Status);
    }

    [Fact]
    public async Task Unknown_event_gets_NOT_FOUND_everywhere()
    {
        var id = new EventId(ClusterFixture.Unique("missing"));

        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.EmitAsync(id)).UnwrapErr().Kind);
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.TestRunAsync(id)).UnwrapErr().Kind);
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.StatusAsync(id)).UnwrapErr().Kind);
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.GetEventAsync(id)).UnwrapErr().Kind);
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.RemoveEventAsync(id)).UnwrapErr().Kind);
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.UpdateEventAsync(new Event(id, "n", "h"))).UnwrapErr().Kind);
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.HistoryAsync(id)).UnwrapErr().Kind);
        var ex = Assert.Throws<AppErrorException>(() => fx.Api.StatusAsync(id).Result.Unwrap());
        Assert.Contains("does not exist", ex.Message);
    }

    [Fact]
    public async Task Full_queue_rejects_with_QUEUE_FULL_and_a_counter_and_keeps_what_it_had()
    {
        var handler = ClusterFixture.Unique("full");
        using var release = new SemaphoreSlim(0);
        fx.Handlers.Register(handler, async ctx => { await release.WaitAsync(TimeSpan.FromSeconds(20)); });
        var id = await fx.SaveEventAsync(handler, new Policy(MaxConcurrency: 1));

        (await fx.Api.EmitAsync(id)).Unwrap();
        await fx.WaitForStatusAsync(id, s => s.Running == 1);
        for (var i = 0; i < ClusterFixture.QueueMaxSize; i++) (await fx.Api.EmitAsync(id)).Unwrap();
        var rejected = await fx.Api.EmitAsync(id);

        Assert.Equal(ErrorKind.QUEUE_FULL, rejected.UnwrapErr().Kind);
        Assert.Contains("full", rejected.UnwrapErr().Message);
        var status = (await fx.Api.StatusAsync(id)).Unwrap();
        Assert.Equal(ClusterFixture.QueueMaxSize, status.QueueDepth);
        var counter = (await fx.Api.MetricsSnapshotAsync()).Unwrap().Counters.Single(c =>
            c.Name == MetricNames.JobsRejected && c.Labels[MetricNames.EventIdLabel] == id.Value && c.Labels[MetricNames.ReasonLabel] == "QUEUE_FULL");
        Assert.Equal(1, counter.Value);
        release.Release(ClusterFixture.QueueMaxSize + 1);
        Assert.Equal(ClusterFixture.QueueMaxSize + 1, (await fx.WaitForHistoryAsync(id, ClusterFixture.QueueMaxSize + 1)).Count);
    }

    [Fact]
    public async Task Oversized_payload_is_rejected_and_nothing_is_queued()
    {
        var handler = ClusterFixture.Unique("big");
        fx.Handlers.Register(handler, ctx => "ran");
        var id = await fx.SaveEventAsync(handler);

        var emitted = await fx.Api.EmitAsync(id, new string('x', 5000)); // the fixture allows 4096 bytes

        Assert.Equal(ErrorKind.VALIDATION, emitted.UnwrapErr().Kind);
        Assert.Contains("4096", emitted.UnwrapErr().Message);
        var status = (await fx.Api.StatusAsync(id)).Unwrap();
        Assert.Equal(0, status.QueueDepth + status.Running);
        Assert.Null(status.LastOutcome);
    }

    [Fact]
    public async Task Emit_returns_distinct_job_ids_that_appear_in_history_with_the_correlation_id()
    {
        var handler = ClusterFixture.Unique("ids");
        var correlations = new Dictionary<string, string>();
        fx.Handlers.Register(handler, ctx => { lock (correlations) correlations[ctx.JobId] = ctx.CorrelationId; return ctx.JobId; });
        var id = await fx.SaveEventAsync(handler, new Policy(MaxConcurrency: 2));

        var first = (await fx.Api.EmitAsync(id, null, new EmitOptions(CorrelationId: "corr-1"))).Unwrap();
        var second = (await fx.Api.EmitAsync(id)).Unwrap();
        var history = await fx.WaitForHistoryAsync(id, 2);

        Assert.NotEqual(first, second);
        Assert.Equal(new[] { first, second }.Order(), history.Select(h => h.JobId).Order());
        Assert.All(history, h => Assert.Equal(h.JobId, h.Outcome.ResultPreview));
        Assert.Equal("corr-1", correlations[first]);
        Assert.Equal(second, correlations[second]); // without one given, the job's id is its correlation id
    }

    [Fact]
    public async Task Removing_an_event_cancels_its_queued_jobs()
    {
        var handler = ClusterFixture.Unique("rm");
        using var release = new SemaphoreSlim(0);
        fx.Handlers.Register(handler, async ctx => { await release.WaitAsync(TimeSpan.FromSeconds(20)); });
        var id = await fx.SaveEventAsync(handler, new Policy(MaxConcurrency: 1));
        for (var i = 0; i < 3; i++) (await fx.Api.EmitAsync(id)).Unwrap();
        await fx.WaitForStatusAsync(id, s => s.Running == 1 && s.QueueDepth == 2);

        (await fx.Api.RemoveEventAsync(id)).Unwrap();

        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.StatusAsync(id)).UnwrapErr().Kind);
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.EmitAsync(id)).UnwrapErr().Kind);
        Assert.Equal(2, (await fx.Api.MetricsSnapshotAsync()).Unwrap().Counter(MetricNames.JobsCancelled, id));
        release.Release(3);
    }
}
