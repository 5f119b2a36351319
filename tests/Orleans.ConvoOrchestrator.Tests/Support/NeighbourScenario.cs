using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>What victim event B saw while its neighbour A misbehaved.</summary>
/// <param name="Fires">B's fires due in the window that ran.</param>
/// <param name="Due">B's fires due in the window.</param>
/// <param name="LatenessP99">From a fire's scheduled instant to B's handler starting, 99th percentile.</param>
/// <param name="StatusP99">Round trip of <c>StatusAsync(B)</c>, 99th percentile.</param>
/// <param name="StatusCalls">How many status calls were timed.</param>
/// <param name="NeighbourOutcomes">A's outcomes in its history when the window closed.</param>
internal sealed record NeighbourFigures(int Fires, int Due, TimeSpan LatenessP99, TimeSpan StatusP99, int StatusCalls,
    IReadOnlyList<JobOutcome> NeighbourOutcomes)
{
    /// <summary>Per 100 ms of the window: B's lateness in ms or "-" for a missed fire, and the pool's state (diagnostics).</summary>
    public string Timeline { get; init; } = "";

    public override string ToString() =>
        $"B fired {Fires} of {Due}, lateness p99 {LatenessP99.TotalMilliseconds:0} ms, status p99 {StatusP99.TotalMilliseconds:0} ms " +
        $"({StatusCalls} calls), load average {LoadAverage()}, process GC pause {GC.GetTotalPauseDuration().TotalMilliseconds:0} ms in " +
        $"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} collections";

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}

/// <summary>
/// The scenario of issue 22, on the embedded <see cref="EventManager"/>: victim event B has an INTERVAL 100 ms trigger
/// and is observed for 4 s while neighbour event A misbehaves (A's handler, policy and emits are the caller's).
/// </summary>
internal static class NeighbourScenario
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    public static readonly EventId A = new("neighbour-a");
    public static readonly EventId B = new("victim-b");

    /// <summary>Runs the scenario: <paramref name="register"/> registers A's handler as "a"; <paramref name="misbehave"/> emits into A.</summary>
    public static async Task<NeighbourFigures> RunAsync(Action<HandlerRegistry> register, Policy policyA, Func<EventManager, Task> misbehave,
        Action<ConvoOrchestratorOptions>? configure = null)
    {
        var registry = new HandlerRegistry();
        register(registry);
        var fires = new ConcurrentQueue<(DateTimeOffset Scheduled, TimeSpan Lateness)>();
        registry.Register("b", ctx =>
        {
            var now = DateTimeOffset.UtcNow;
            if (ctx.ScheduledAt is { } due) fires.Enqueue((due, now - due));
        });
        var repo = new InMemoryEventRepository();
        repo.SaveEvent(new Event(A, "neighbour", "a", policyA)).Unwrap();
        repo.SaveEvent(new Event(B, "victim", "b", new Policy(TimeoutSec: 5))).Unwrap();
        repo.AttachTrigger(B, new Trigger(new TriggerId("victim-interval"), TriggerKind.INTERVAL, Interval: Interval)).Unwrap();

        // A short grace: A's handlers may still be blocked when the manager stops; this test does not time the stop.
        var mgr = new EventManager(repo, registry, new SystemClock(), new InMemoryMetrics(), schedulerTickMs: 100,
            configure: o =>
            {
                o.ShutdownGracePeriod = TimeSpan.FromSeconds(1);
                configure?.Invoke(o);
            });
        // The test host parks two pool threads for its whole run (its message loop and xUnit's assembly runner). When
        // hill climbing takes the pool's goal down to the minimum (the core count), those two leave no thread to run
        // work: everything queued, the victim's timers included, waited about 600 ms for the starvation check. Two
        // more at the minimum give this process the pool a silo process has.
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        ThreadPool.SetMinThreads(minWorkers + 2, minIo);
        await mgr.StartAsync();
        try
        {
            // Warm up (JIT, first activations) before the window opens.
            await mgr.StatusAsync(B);
            await Task.Delay(TimeSpan.FromSeconds(1));

            var from = DateTimeOffset.UtcNow;
            var until = from + Window;
            var neighbour = Task.Run(() => misbehave(mgr));
            var status = new List<TimeSpan>();
            var pool = new List<string>();
            while (DateTimeOffset.UtcNow < until)
            {
                var clock = Stopwatch.StartNew();
                (await mgr.StatusAsync(B)).Unwrap();
                status.Add(clock.Elapsed);
                pool.Add($"{(DateTimeOffset.UtcNow - from).TotalMilliseconds:0}:{ThreadPool.ThreadCount}/{ThreadPool.PendingWorkItemCount}");
                await Task.Delay(50);
            }
            // Fires due near the window's end get a moment to start; later ones count as missed.
            await Task.Delay(TimeSpan.FromSeconds(1));
            var seen = fires.Where(f => f.Scheduled >= from && f.Scheduled < until).ToList();
            var due = (int)(Window / Interval);
            var outcomes = (await mgr.HistoryAsync(A, 100)).UnwrapOr([]).Select(r => r.Outcome).ToList();
            await neighbour.WaitAsync(TimeSpan.FromSeconds(60));
            var timeline = string.Join(" ", seen.OrderBy(f => f.Scheduled).Select(f => $"{(f.Scheduled - from).TotalMilliseconds:0}+{f.Lateness.TotalMilliseconds:0}"));
            return new NeighbourFigures(seen.Count, due, P99(seen.Select(f => f.Lateness)), P99(status), status.Count, outcomes)
            {
                Timeline = "fires (due+late ms): " + timeline + "\npool (ms:threads/queued): " + string.Join(" ", pool),
            };
        }
        finally
        {
            await mgr.StopAsync();
            ThreadPool.SetMinThreads(minWorkers, minIo);
        }
    }

    /// <summary>The 99th percentile (nearest rank); zero for no samples.</summary>
    public static TimeSpan P99(IEnumerable<TimeSpan> samples)
    {
        var sorted = samples.Order().ToList();
        if (sorted.Count == 0) return TimeSpan.Zero;
        return sorted[Math.Clamp((int)Math.Ceiling(0.99 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Emits <paramref name="count"/> jobs into A at once.</summary>
    public static Task EmitAsync(EventManager mgr, int count) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(_ => mgr.EmitAsync(A)).Select(async e => (await e).Unwrap()));
}
