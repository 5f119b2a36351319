using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Cancelling a running job: its handler's token is cancelled, its CANCELLED outcome is stored at once, and its slot
/// is freed when the handler stops, or after the grace period when the handler ignores its token.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class CancelRunningTests(ClusterFixture fx)
{
    [Fact]
    public async Task A_running_job_is_cancelled_through_its_token_and_the_next_one_starts()
    {
        var handler = ClusterFixture.Unique("coop");
        var started = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var sawCancel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fx.Handlers.Register(handler, async ctx =>
        {
            started.Enqueue(ctx.JobId);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(60), ctx.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                sawCancel.TrySetResult();
                throw;
            }
        });
        var ev = await fx.SaveEventAsync(handler, new Policy(TimeoutSec: 120, MaxRetries: 2, MaxConcurrency: 1));
        var first = (await fx.Api.EmitAsync(ev, new { n = 1 })).Unwrap();
        var second = (await fx.Api.EmitAsync(ev, new { n = 2 })).Unwrap();
        await Eventually.TrueAsync(() => Task.FromResult(started.Contains(first)), TimeSpan.FromSeconds(20), "the first job to start");

        (await fx.Api.CancelJobAsync(ev, first)).Unwrap();

        await sawCancel.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(() => Task.FromResult(started.Contains(second)), TimeSpan.FromSeconds(20), "the second job to take the freed slot");
        var record = Assert.Single((await fx.Api.HistoryAsync(ev, 10)).Unwrap(), r => r.JobId == first);
        Assert.Equal(JobStatus.CANCELLED, record.Outcome.Status);
        Assert.Equal("cancelled by an operator while it ran", record.Outcome.Error!.Message);
        Assert.Equal([first, second], started); // never retried, never run again
        var again = await fx.Api.CancelJobAsync(ev, first); // gone: never cancelled twice
        Assert.Equal(ErrorKind.NOT_FOUND, again.Error!.Kind);
        (await fx.Api.CancelJobAsync(ev, second)).Unwrap();
    }

    [Fact]
    public async Task A_handler_that_ignores_its_token_is_abandoned_after_the_grace_period_and_frees_its_slot()
    {
        var handler = ClusterFixture.Unique("stubborn");
        using var release = new ManualResetEventSlim();
        var started = new System.Collections.Concurrent.ConcurrentQueue<string>();
        fx.Handlers.Register(handler, ctx =>
        {
            started.Enqueue(ctx.JobId);
            if (started.Count == 1) release.Wait(TimeSpan.FromSeconds(60)); // the first blocks, deaf to its token
        });
        var ev = await fx.SaveEventAsync(handler, new Policy(TimeoutSec: 120, MaxConcurrency: 1));
        var first = (await fx.Api.EmitAsync(ev, new { n = 1 })).Unwrap();
        var second = (await fx.Api.EmitAsync(ev, new { n = 2 })).Unwrap();
        await Eventually.TrueAsync(() => Task.FromResult(started.Contains(first)), TimeSpan.FromSeconds(20), "the first job to start");

        var cancelledAt = DateTime.UtcNow;
        (await fx.Api.CancelJobAsync(ev, first)).Unwrap(); // answered once the end is stored, not after the grace period
        Assert.Equal(JobStatus.CANCELLED, Assert.Single((await fx.Api.HistoryAsync(ev, 10)).Unwrap(), r => r.JobId == first).Outcome.Status);
        Assert.Equal(1, (await fx.Api.StatusAsync(ev)).Unwrap().Running); // the handler still holds the slot

        await fx.WaitForHistoryAsync(ev, 2);
        Assert.True(DateTime.UtcNow - cancelledAt >= ClusterFixture.CancelGracePeriod - TimeSpan.FromMilliseconds(50),
            "the next job started before the grace period was over");
        Assert.False(release.IsSet); // the abandoned handler is still blocked, yet the event moved on
        Assert.Equal([first, second], started);
        release.Set();
    }
}
