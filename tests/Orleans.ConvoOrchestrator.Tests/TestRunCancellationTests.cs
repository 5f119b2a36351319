using System.Diagnostics;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Cancellation tokens on the client API: a cancelled call ends at once with OperationCanceledException, a test run's
/// cancel also cancels the run, and a token cancelled before the call sends nothing.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class TestRunCancellationTests(ClusterFixture fx)
{
    [Fact]
    public async Task A_cancelled_test_run_releases_its_caller_within_a_second_and_cancels_the_run()
    {
        var handler = ClusterFixture.Unique("sleep30");
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawCancel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fx.Handlers.Register(handler, async ctx =>
        {
            started.TrySetResult(ctx.JobId);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), ctx.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                sawCancel.TrySetResult();
                throw;
            }
            return "slept";
        });
        var ev = await fx.SaveEventAsync(handler, new Policy(TimeoutSec: 120));
        using var cts = new CancellationTokenSource();

        var run = fx.Api.TestRunAsync(ev, new { n = 1 }, cts.Token);
        var jobId = await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var watch = Stopwatch.StartNew();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"the caller was released after {watch.Elapsed.TotalMilliseconds:0} ms");

        // The run itself ends: its handler's token is cancelled and a CANCELLED outcome is stored.
        await sawCancel.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
        var record = Assert.Single(await Eventually.HistoryAsync(fx.Api, ev, 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(jobId, record.JobId);
        Assert.Equal(JobStatus.CANCELLED, record.Outcome.Status);
        await fx.WaitForStatusAsync(ev, s => s.Running == 0);
    }

    [Fact]
    public async Task A_token_cancelled_before_the_call_sends_nothing()
    {
        var handler = ClusterFixture.Unique("count");
        var runs = new System.Collections.Concurrent.ConcurrentQueue<string>();
        fx.Handlers.Register(handler, ctx => { runs.Enqueue(ctx.JobId); return "ok"; });
        var ev = await fx.SaveEventAsync(handler);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fx.Api.EmitAsync(ev, new { n = 1 }, cancellationToken: cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fx.Api.TestRunAsync(ev, null, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fx.Api.ListEventsPageAsync(10, null, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fx.Api.StatusAsync(ev, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fx.Api.RemoveEventAsync(ev, cancelled.Token));

        // The event is still there, and the only job it ever ran is the one emitted after (a FIFO queue of one slot
        // would have run a queued cancelled emit first).
        var after = (await fx.Api.EmitAsync(ev, new { n = 2 })).Unwrap();
        var history = await Eventually.HistoryAsync(fx.Api, ev, 1, TimeSpan.FromSeconds(20));
        Assert.Equal([after], history.Select(r => r.JobId));
        Assert.Equal([after], runs);
    }
}
