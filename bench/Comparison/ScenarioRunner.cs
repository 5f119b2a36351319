using System.Diagnostics;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>
/// Runs one scenario against one system in this (fresh) process and returns its figures. The parent process
/// (<see cref="ComparisonRunner"/>) starts one of these per system, scenario and repetition.
/// </summary>
internal static class ScenarioRunner
{
    /// <summary>Emits in flight at once for the burst and durable scenarios (async APIs) or emitting threads (sync ones).</summary>
    private const int Emitters = 64;

    public static async Task<RunResult> RunAsync(string system, string scenario, int size, double seconds, int workers)
    {
        if (scenario == ScenarioKind.Failover)
        {
            // Silo processes of its own, not a system in this process; only ConvoOrchestrator runs it.
            if (!SystemKind.Supports(system, scenario)) throw new ArgumentException($"the failover scenario runs on {SystemKind.Convo} only");
            var (metrics, note) = await FailoverScenario.RunAsync(size, seconds);
            return new RunResult(system, scenario, metrics, note);
        }
        if (scenario == ScenarioKind.Durable)
        {
            await using var redis = await RedisServer.StartAsync();
            return await WithSystemAsync(system, scenario, new SystemSettings(workers, redis.Configuration), sut => DurableAsync(sut, seconds));
        }
        return await WithSystemAsync(system, scenario, new SystemSettings(workers, IdleRest: scenario == ScenarioKind.Memory), scenario switch
        {
            ScenarioKind.Burst => sut => BurstAsync(sut, size),
            ScenarioKind.Latency => sut => LatencyAsync(sut, seconds),
            ScenarioKind.Precision => sut => PrecisionAsync(sut, size, seconds),
            ScenarioKind.Memory => sut => MemoryAsync(sut, size),
            ScenarioKind.Scale => sut => ScaleAsync(sut, size, seconds),
            _ => throw new ArgumentException($"unknown scenario '{scenario}'"),
        });
    }

    private static async Task<RunResult> WithSystemAsync(string system, string scenario, SystemSettings settings,
        Func<IJobSystem, Task<(Dictionary<string, double> Metrics, string? Note)>> body)
    {
        await using var sut = SystemKind.Create(system, settings);
        var started = Stopwatch.StartNew();
        await sut.StartAsync();
        Console.Error.WriteLine($"  {system} started in {started.Elapsed.TotalSeconds:0.0} s");
        var (metrics, note) = await body(sut);
        return new RunResult(system, scenario, metrics, note);
    }

    // 1. As many no-op jobs as fast as the API takes them; throughput until the last has run.
    private static async Task<(Dictionary<string, double>, string?)> BurstAsync(IJobSystem sut, int jobs)
    {
        await WarmUpAsync(sut);
        var before = Probe.Completed;
        var cpu0 = CpuTime();
        var clock = Stopwatch.StartNew();
        await EmitAllAsync(sut, jobs);
        var emitted = clock.Elapsed;
        var done = await WaitForCompletedAsync(before + jobs, TimeSpan.FromSeconds(Math.Max(120, jobs / 200.0)));
        var elapsed = clock.Elapsed;
        var cpu = CpuTime() - cpu0;
        var ran = Probe.Completed - before;
        return (new()
        {
            ["jobs_per_s"] = ran / elapsed.TotalSeconds,
            ["cpu_us_per_job"] = cpu.TotalMicroseconds / Math.Max(1, ran),
            ["accepted_per_s"] = jobs / emitted.TotalSeconds,
            ["completed_share"] = ran / (double)jobs,
        }, done ? null : $"only {ran} of {jobs} jobs ran within the time limit");
    }

    // 2. A steady 1,000 emits a second; emit-to-handler-start latency of each job after a warm-up second.
    private static async Task<(Dictionary<string, double>, string?)> LatencyAsync(IJobSystem sut, double seconds)
    {
        const int ratePerSecond = 1000;
        var warmUp = TimeSpan.FromSeconds(1);
        var measured = (int)(seconds * ratePerSecond);
        var recorder = new LatencyRecorder(measured + 16);
        Probe.RecordEmitToStart(recorder);
        var before = Probe.Completed;
        var total = (int)(warmUp.TotalSeconds * ratePerSecond) + measured;
        var warmUpJobs = total - measured;
        var pending = new List<Task>();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        // Each millisecond or so, emit the jobs whose turn has come (a steady rate, not bursts of a second).
        while (sent < total)
        {
            var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * ratePerSecond) + 1);
            for (; sent < due; sent++)
            {
                // Warm-up jobs carry 0: they run but are not measured.
                var pendingEmit = sut.EnqueueAsync(sent < warmUpJobs ? 0 : Stopwatch.GetTimestamp());
                if (!pendingEmit.IsCompletedSuccessfully) pending.Add(pendingEmit.AsTask());
            }
            Thread.Sleep(1);
        }
        var emitSeconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(pending);
        var done = await WaitForCompletedAsync(before + total, TimeSpan.FromSeconds(60));
        return (new()
        {
            ["p50_ms"] = recorder.Percentile(50),
            ["p99_ms"] = recorder.Percentile(99),
            ["max_ms"] = recorder.Max,
            ["samples"] = recorder.Count,
            ["achieved_rate"] = total / emitSeconds,
        }, done ? null : $"only {Probe.Completed - before} of {total} jobs ran");
    }

    // 3. N every-second schedules; lateness of each fire's handler start behind its due instant, over a window.
    private static async Task<(Dictionary<string, double>, string?)> PrecisionAsync(IJobSystem sut, int schedules, double seconds)
    {
        var window = TimeSpan.FromSeconds(seconds);
        var recorder = new LatencyRecorder(checked(schedules * ((int)Math.Ceiling(seconds) + 5)));
        var start = DateTimeOffset.UtcNow.AddSeconds(2);
        var setup = Stopwatch.StartNew();
        await sut.ScheduleRecurringAsync(schedules, TimeSpan.FromSeconds(1), i => start.AddTicks(TimeSpan.TicksPerSecond * i / schedules));
        var setupSeconds = setup.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"  {schedules} schedules set up in {setupSeconds:0.0} s");

        // Warm up, then measure the fires due in whole seconds [from, to).
        var from = DateTimeOffset.UtcNow.AddSeconds(seconds >= 10 ? 3 : 2);
        from = new DateTimeOffset(from.Ticks - from.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(1);
        var to = from + window;
        Probe.RecordLateness(recorder, from, to);
        await Task.Delay(from - DateTimeOffset.UtcNow);
        using var sampler = AllocationSampler.StartFromEnvironment();
        var cost = await WatchWindowAsync(to);
        await Task.Delay(TimeSpan.FromSeconds(2)); // fires due just before the end still land
        var expected = (double)schedules * window.TotalSeconds;
        var figures = FireFigures(recorder, expected, cost.Cpu);
        figures["alloc_bytes_per_fire"] = recorder.Count == 0 ? double.NaN : cost.Allocated / (double)recorder.Count;
        sampler?.Report(recorder.Count);
        figures["gen0_collections_per_s"] = cost.Collections[0] / window.TotalSeconds;
        figures["gc_pause_max_ms"] = cost.LongestPause.TotalMilliseconds;
        figures["setup_s"] = setupSeconds;
        return (figures, sut.DescribeRecurring(TimeSpan.FromSeconds(1)));
    }

    /// <summary>Seconds of uncounted emits before the durable window.</summary>
    public static double DurableWarmUpSeconds(double seconds) => Math.Min(3, seconds * 0.3);

    // 4. Accepted (acknowledged) emits a second with a Redis store that fsyncs every write, over a fixed time.
    private static async Task<(Dictionary<string, double>, string?)> DurableAsync(IJobSystem sut, double seconds)
    {
        await WarmUpAsync(sut);
        // Then emits as measured, uncounted, so the window sees the steady state: 200 jobs leave both systems'
        // emit paths still being recompiled by the JIT's later tiers for seconds (373dac6; docs/benchmarks.md).
        var warmUp = Stopwatch.StartNew();
        var warmUpLength = TimeSpan.FromSeconds(DurableWarmUpSeconds(seconds));
        await EmitWhileAsync(sut, () => warmUp.Elapsed < warmUpLength);
        long accepted = 0;
        var clock = Stopwatch.StartNew();
        var window = TimeSpan.FromSeconds(seconds);
        await EmitWhileAsync(sut, () => clock.Elapsed < window && Interlocked.Increment(ref accepted) > 0);
        // Each emit counted before it was made has returned when the emitters stop.
        return (new() { ["accepted_per_s"] = accepted / clock.Elapsed.TotalSeconds }, null);
    }

    // 5. Memory per idle scheduled event: working set and managed heap after a full GC, minus a baseline.
    private static async Task<(Dictionary<string, double>, string?)> MemoryAsync(IJobSystem sut, int events)
    {
        // Numbered after the measured ones. Enough of them, and time, for the runtime to finish compiling the set-up
        // path's final code before the baseline: code is not what an event costs (docs/benchmarks.md, "What an idle
        // schedule keeps").
        var warmUp = Math.Min(2_000, Math.Max(100, events / 10));
        await sut.ScheduleIdleAsync(events, warmUp);
        await sut.LetIdleRestAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var (ws0, heap0) = Measure();
        var setup = Stopwatch.StartNew();
        await sut.ScheduleIdleAsync(0, events);
        var setupSeconds = setup.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(1)); // let writes and batches settle
        var (ws1, heap1) = Measure();
        await sut.LetIdleRestAsync();
        var (ws2, heap2) = Measure();
        await HoldForInspectionAsync();
        return (new()
        {
            ["ws_bytes_per_event"] = (ws1 - ws0) / (double)events,
            ["heap_bytes_per_event"] = (heap1 - heap0) / (double)events,
            ["ws_bytes_per_event_at_rest"] = (ws2 - ws0) / (double)events,
            ["heap_bytes_per_event_at_rest"] = (heap2 - heap0) / (double)events,
            ["setup_s"] = setupSeconds,
        }, null);
    }

    // CONVO_BENCH_HOLD_AT_REST=seconds keeps the process alive after a memory measurement, so a heap dump
    // (dotnet-dump collect -p PID --type Heap) shows what each schedule keeps.
    private static async Task HoldForInspectionAsync()
    {
        if (Environment.GetEnvironmentVariable("CONVO_BENCH_HOLD_AT_REST") is not { Length: > 0 } hold) return;
        Console.Error.WriteLine($"  measured; pid {Environment.ProcessId} held for {hold} s");
        await Task.Delay(TimeSpan.FromSeconds(double.Parse(hold, System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>The period of the scale scenario's schedules.</summary>
    public static readonly TimeSpan ScalePeriod = TimeSpan.FromSeconds(60);

    /// <summary>Seconds of fires before the scale window that are not measured (the schedules' first turn).</summary>
    public static double ScaleWarmUpSeconds(double seconds) => Math.Clamp(seconds / 18, 1, 10);

    /// <summary>
    /// How long the scale scenario's setup may take before the run gives up on the system: a system that cannot
    /// take its schedules in five minutes (plus a second per 1,000) is reported as not holding that size.
    /// </summary>
    public static TimeSpan ScaleSetupLimit(int schedules) => TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(schedules / 1000.0);

    // 6. Many 60 s schedules on one node (issue 21): at 100,000 that is ~1,667 fires a second, anchors spread evenly
    // over the minute. Lateness and CPU over a window after a warm-up (the setup is timed apart, outside it); memory
    // per schedule as the memory scenario measures it, after the window, so it holds firing schedules' state.
    private static async Task<(Dictionary<string, double>, string?)> ScaleAsync(IJobSystem sut, int schedules, double seconds)
    {
        var period = ScalePeriod;
        var (ws0, heap0) = Measure();
        var start = DateTimeOffset.UtcNow.AddSeconds(2);
        var setupLimit = ScaleSetupLimit(schedules);
        var setup = Stopwatch.StartNew();
        using (var bounded = new CancellationTokenSource(setupLimit))
        {
            try
            {
                await Task.Run(() => sut.ScheduleRecurringAsync(schedules, period, i => start.AddTicks(period.Ticks * i / schedules), bounded.Token));
            }
            catch (OperationCanceledException)
            {
                // Not run for ever: the run reports the system as not holding this size, with the evidence.
                return (new() { ["setup_s"] = setup.Elapsed.TotalSeconds },
                    $"n/a: setting up {schedules:N0} schedules did not finish within {setupLimit.TotalSeconds:0} s; {sut.DescribeRecurring(period)}");
            }
        }
        var setupSeconds = setup.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"  {schedules} schedules set up in {setupSeconds:0.0} s");

        var window = TimeSpan.FromSeconds(seconds);
        // The warm-up counts from the first fires (a quick setup ends before they are due).
        var firing = DateTimeOffset.UtcNow > start ? DateTimeOffset.UtcNow : start;
        var from = firing.AddSeconds(ScaleWarmUpSeconds(seconds));
        from = new DateTimeOffset(from.Ticks - from.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(1);
        var to = from + window;
        var expected = schedules * window.TotalSeconds / period.TotalSeconds;
        var recorder = new LatencyRecorder((int)Math.Ceiling(expected) + schedules / 10 + 16);
        Probe.RecordLateness(recorder, from, to);
        await Task.Delay(from - DateTimeOffset.UtcNow);
        var cost = await WatchWindowAsync(to);
        await Task.Delay(TimeSpan.FromSeconds(2)); // fires due just before the end still land
        var fires = recorder.Count;
        var (ws1, heap1) = Measure();
        await HoldForInspectionAsync();
        var figures = FireFigures(recorder, expected, cost.Cpu);
        figures["fires_per_s"] = fires / window.TotalSeconds;
        figures["alloc_bytes_per_fire"] = fires == 0 ? double.NaN : cost.Allocated / (double)fires;
        figures["ws_bytes_per_schedule"] = (ws1 - ws0) / (double)schedules;
        figures["heap_bytes_per_schedule"] = (heap1 - heap0) / (double)schedules;
        figures["gen2_collections"] = cost.Collections[2];
        figures["gc_pause_max_ms"] = cost.LongestPause.TotalMilliseconds;
        figures["setup_s"] = setupSeconds;
        return (figures, sut.DescribeRecurring(period));
    }

    // What a recurring-fire window costs the process until `to`: CPU, bytes allocated and the collections, whose
    // pauses are the first suspect for the lateness tail.
    private sealed record WindowCost(TimeSpan Cpu, long Allocated, int[] Collections, TimeSpan LongestPause);

    private static async Task<WindowCost> WatchWindowAsync(DateTimeOffset to)
    {
        var cpu0 = CpuTime();
        var allocated0 = GC.GetTotalAllocatedBytes();
        await using var pauses = GcPauseWatch.Start();
        await Task.Delay(to - DateTimeOffset.UtcNow);
        return new(CpuTime() - cpu0, GC.GetTotalAllocatedBytes() - allocated0, pauses.Counts, pauses.LongestPause);
    }

    // What every recurring-fire scenario reports: lateness of the fires recorded, the share of due fires that ran, CPU per fire.
    private static Dictionary<string, double> FireFigures(LatencyRecorder recorder, double expected, TimeSpan cpu) => new()
    {
        ["within_50ms"] = recorder.ShareAtMost(50),
        ["p50_ms"] = recorder.Percentile(50),
        ["p99_ms"] = recorder.Percentile(99),
        ["max_ms"] = recorder.Max,
        ["fired_share"] = recorder.Count / expected,
        ["cpu_us_per_fire"] = recorder.Count == 0 ? double.NaN : cpu.TotalMicroseconds / recorder.Count,
    };

    private static (long WorkingSet, long Heap) Measure()
    {
        for (var i = 0; i < 2; i++)
        {
            // Aggressive: a full compacting collection that also gives freed heap back to the OS, so the working set
            // counts what the process holds rather than what the GC kept for reuse after the setup's garbage.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64, heap);
    }

    private static async Task WarmUpAsync(IJobSystem sut)
    {
        var before = Probe.Completed;
        await EmitAllAsync(sut, 200);
        await WaitForCompletedAsync(before + 200, TimeSpan.FromSeconds(30));
    }

    private static Task EmitAllAsync(IJobSystem sut, int jobs)
    {
        var next = -1;
        return EmitWhileAsync(sut, () => Interlocked.Increment(ref next) < jobs);
    }

    // Emitters emit while the condition holds: asynchronous calls in flight, or threads for a blocking API
    // (Hangfire's Enqueue), so both keep the same number of emits under way.
    private static async Task EmitWhileAsync(IJobSystem sut, Func<bool> more)
    {
        if (sut.BlockingEnqueue)
        {
            var threads = Enumerable.Range(0, Emitters).Select(_ => new Thread(() =>
            {
                while (more()) sut.EnqueueAsync(0).GetAwaiter().GetResult();
            }) { IsBackground = true }).ToList();
            threads.ForEach(t => t.Start());
            await Task.Run(() => threads.ForEach(t => t.Join()));
            return;
        }
        await Task.WhenAll(Enumerable.Range(0, Emitters).Select(_ => Task.Run(async () =>
        {
            while (more()) await sut.EnqueueAsync(0);
        })));
    }

    private static async Task<bool> WaitForCompletedAsync(long target, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (Probe.Completed < target)
        {
            if (clock.Elapsed > limit) return false;
            await Task.Delay(1);
        }
        return true;
    }

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
