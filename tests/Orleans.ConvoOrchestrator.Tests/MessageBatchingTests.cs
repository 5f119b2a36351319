using Orleans.ConvoOrchestrator.Grains;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// A busy event costs fewer grain messages than jobs: the jobs one turn admits go to the worker pool in one
/// message, and outcomes that end while a report to their event is in flight share the next report.
/// </summary>
public sealed class MessageBatchingTests : IClassFixture<MessageBatchingTests.CountingFixture>
{
    private readonly CountingFixture _fx;

    public MessageBatchingTests(CountingFixture fx) => _fx = fx;

    [Fact]
    public async Task Jobs_that_end_together_are_reported_and_dispatched_in_batches_and_every_outcome_lands()
    {
        const int jobs = 64;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _fx.Handlers.Register("gated", _ => gate.Task);
        var id = new EventId("batched");
        (await _fx.Api.SaveEventAsync(new Event(id, "batched", "gated", new Policy(MaxConcurrency: 16)))).Unwrap();
        var emitted = new List<string>();
        for (var i = 0; i < jobs; i++) emitted.Add((await _fx.Api.EmitAsync(id, i)).Unwrap());
        await Eventually.MatchAsync(async () => (await _fx.Api.StatusAsync(id)).Unwrap(), s => s.Running == 16,
            TimeSpan.FromSeconds(30), "16 running", 20);
        var (executesBefore, _) = _fx.Counts();

        gate.SetResult(); // 16 end at once; each report admits the next jobs

        var history = await _fx.WaitForHistoryAsync(id, jobs);
        Assert.Equal(emitted.Order(), history.Select(r => r.JobId).Order());
        Assert.All(history, r => Assert.Equal(JobStatus.OK, r.Outcome.Status));
        var (executes, completes) = _fx.Counts();
        Assert.Equal(jobs, _fx.Completed);
        Assert.True(completes < jobs, $"{completes} reports for {jobs} outcomes: none shared a report");
        // After the gate opened, 48 queued jobs were admitted by reports carrying several outcomes each.
        Assert.True(executes - executesBefore < jobs - 16, $"{executes - executesBefore} dispatch messages for {jobs - 16} jobs");
    }

    /// <summary>A one-silo cluster that counts the worker-pool and outcome messages (and the jobs in them).</summary>
    public sealed class CountingFixture : OrchestratorClusterFixture
    {
        private static int s_executes;
        private static int s_completes;
        private static int s_completed;

        public int Completed => Volatile.Read(ref s_completed);

        public (int Executes, int Completes) Counts() => (Volatile.Read(ref s_executes), Volatile.Read(ref s_completes));

        protected override void Configure(ISiloBuilder silo)
        {
            silo.AddConvoOrchestrator(_ => { }, Handlers);
            silo.AddIncomingGrainCallFilter(async ctx =>
            {
                if (ctx.InterfaceMethod?.DeclaringType == typeof(IHandlerWorkerGrain)) Interlocked.Increment(ref s_executes);
                if (ctx.InterfaceMethod?.DeclaringType == typeof(IEventGrain) && ctx.InterfaceMethod.Name == nameof(IEventGrain.CompleteAsync))
                {
                    Interlocked.Increment(ref s_completes);
                    Interlocked.Add(ref s_completed, ((List<JobCompletion>)ctx.Request.GetArgument(0)!).Count);
                }
                await ctx.Invoke();
            });
        }
    }
}
