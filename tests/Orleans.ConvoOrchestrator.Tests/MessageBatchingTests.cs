using Orleans.ConvoOrchestrator.Grains;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// A busy event costs fewer grain messages than jobs: outcomes that end while a report to their event is in
/// flight share the next report, and every outcome still lands.
/// </summary>
[Trait(Lane.Name, Lane.Cluster)]
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

        // 16 end at once. The silo holds the first report for a while (as a busy event grain would), so the
        // outcomes that miss it wait in the outbox and go together in the next one: one of the two carries at
        // least 8.
        _fx.HoldFirstReport = TimeSpan.FromSeconds(2);
        gate.SetResult();

        var history = await _fx.WaitForHistoryAsync(id, jobs);
        Assert.Equal(emitted.Order(), history.Select(r => r.JobId).Order());
        Assert.All(history, r => Assert.Equal(JobStatus.OK, r.Outcome.Status));
        var completes = _fx.Reports;
        Assert.Equal(jobs, _fx.Completed);
        Assert.True(_fx.LargestReport >= 8, $"the largest report carried {_fx.LargestReport} outcomes ({completes} reports for {jobs})");
        Assert.True(completes < jobs, $"{completes} reports for {jobs} outcomes: none shared a report");
    }

    /// <summary>A one-silo cluster that counts the outcome reports (and the outcomes in them).</summary>
    public sealed class CountingFixture : OrchestratorClusterFixture
    {
        private static int s_completes;
        private static int s_completed;
        private static int s_largest;
        private static long s_holdTicks;

        /// <summary>How long the silo holds the next report before the event grain gets it (once).</summary>
        public TimeSpan HoldFirstReport
        {
            set => Interlocked.Exchange(ref s_holdTicks, value.Ticks);
        }

        public int LargestReport => Volatile.Read(ref s_largest);

        public int Completed => Volatile.Read(ref s_completed);

        public int Reports => Volatile.Read(ref s_completes);

        protected override void Configure(ISiloBuilder silo)
        {
            silo.AddConvoOrchestrator(_ => { }, Handlers);
            silo.AddIncomingGrainCallFilter(async ctx =>
            {
                if (ctx.InterfaceMethod?.DeclaringType == typeof(Runtime.Grains.IEventJobsGrain) && ctx.InterfaceMethod.Name == nameof(Runtime.Grains.IEventJobsGrain.CompleteAsync))
                {
                    Interlocked.Increment(ref s_completes);
                    var count = ((List<JobCompletion>)ctx.Request.GetArgument(0)!).Count;
                    Interlocked.Add(ref s_completed, count);
                    int seen;
                    while (count > (seen = Volatile.Read(ref s_largest)) && Interlocked.CompareExchange(ref s_largest, count, seen) != seen) { }
                    if (Interlocked.Exchange(ref s_holdTicks, 0) is > 0 and var hold) await Task.Delay(TimeSpan.FromTicks(hold));
                }
                await ctx.Invoke();
            });
        }
    }
}
