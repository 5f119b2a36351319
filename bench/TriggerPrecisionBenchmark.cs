using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.Bench;

/// <summary>
/// N INTERVAL(1 s) triggers, each feeding its own event with a no-op handler, on one embedded silo, for a
/// while: how late each fire's job is enqueued after its scheduled instant, and CPU time per fire.
/// Anchors are either spread evenly over the second (triggers attached at different times, the usual case)
/// or aligned (all due at the same instant: the worst case).
/// </summary>
internal static class TriggerPrecisionBenchmark
{
    public sealed record Result(int Triggers, string Anchors, int Seconds, long Fires, long Expected, double Within50MsShare,
        double P50Ms, double P99Ms, double MaxMs, double CpuMicrosPerFire, double AllocatedKbPerFire, string GcPauses);

    public static async Task<Result> RunAsync(int triggers, bool aligned, TimeSpan duration, bool logCollections = false, bool gcPhases = false)
    {
        var repo = new InMemoryEventRepository();
        var metrics = new InMemoryMetrics();
        var registry = new HandlerRegistry();
        var lateness = new LatencyRecorder(triggers * ((int)duration.TotalSeconds + 5));
        long measureFrom = long.MaxValue, measureTo = long.MaxValue; // UTC ticks of the measured window
        registry.Register("noop", ctx =>
        {
            // Lateness = scheduled instant -> job enqueued (ctx.Ts), measured only inside the window.
            if (ctx.ScheduledAt is { } due && due.UtcTicks >= Volatile.Read(ref measureFrom) && due.UtcTicks < Volatile.Read(ref measureTo))
                lateness.Add((ctx.Ts - due).TotalMilliseconds);
        });
        // Errors only, and to stderr: stdout is the result table.
        await using var mgr = new EventManager(repo, registry, new SystemClock(), metrics, configure: o =>
            {
                o.MaxConcurrentRuns = 1024;
                if (Comparison.SystemSettings.FireLeadFromEnvironment() is { } lead) o.FireLead = lead;
            },
            logging: l => l.AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Error));
        await mgr.StartAsync();

        // Anchors in the past are fine: fires happen at anchor + k s for the k that are still ahead.
        var start = DateTimeOffset.UtcNow.AddSeconds(2);
        var setup = Stopwatch.StartNew();
        await Parallel.ForAsync(0, triggers, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var id = new EventId($"bench-ev-{i}");
            (await mgr.SaveEventAsync(new Event(id, "bench", "noop", new Policy(TimeoutSec: 10)))).Unwrap();
            var anchor = aligned ? start : start.AddTicks(TimeSpan.TicksPerSecond * i / triggers);
            var trigger = new Trigger(new TriggerId($"bench-tr-{i}"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(1), Anchor: anchor);
            (await mgr.AttachTriggerAsync(id, trigger)).Unwrap();
        });
        Console.Error.WriteLine($"  attached {triggers} triggers in {setup.Elapsed.TotalSeconds:0.0} s");

        // Warm up for 3 s, then measure whole seconds of scheduled instants.
        var from = DateTimeOffset.UtcNow.AddSeconds(3);
        from = new DateTimeOffset(from.Ticks - from.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(1);
        var to = from + duration;
        Volatile.Write(ref measureTo, to.UtcTicks);
        Volatile.Write(ref measureFrom, from.UtcTicks);
        await Task.Delay(from - DateTimeOffset.UtcNow);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        string gc;
        using var phases = gcPhases ? new GcPhaseTimes() : null;
        phases?.Begin();
        await using (var pauses = GcPauseWatch.Start(logCollections))
        {
            await Task.Delay(to - DateTimeOffset.UtcNow);
            foreach (var line in phases?.Describe() ?? []) Console.Error.WriteLine(line);
            var counts = pauses.Counts;
            gc = string.Create(CultureInfo.InvariantCulture,
                $"{counts[0]}/{counts[1]}/{counts[2]}: {pauses.TotalPause.TotalMilliseconds:0} ms, longest {pauses.LongestPause.TotalMilliseconds:0.0} ms");
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        await Task.Delay(TimeSpan.FromSeconds(2)); // fires due just before the end still land
        await mgr.StopAsync();

        var fires = lateness.Count;
        var expected = (long)triggers * (long)duration.TotalSeconds;
        return new Result(triggers, aligned ? "aligned" : "spread", (int)duration.TotalSeconds, fires, expected,
            lateness.ShareAtMost(50), lateness.Percentile(50), lateness.Percentile(99), lateness.Max,
            fires == 0 ? double.NaN : cpu.TotalMicroseconds / fires, fires == 0 ? double.NaN : allocated / 1024.0 / fires, gc);
    }
}
