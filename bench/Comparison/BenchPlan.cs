namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>One scenario at one size, as a row group of the table.</summary>
internal sealed record PlannedScenario(string Label, string Scenario, int Size, double Seconds, int Repeats);

/// <summary>
/// What a comparison run does: the scenarios at their sizes (the full sizes times <see cref="Scale"/>), how many
/// times each, and with how many workers.
/// </summary>
internal sealed record BenchPlan(double Scale, int Workers, int Parallel, IReadOnlyList<PlannedScenario> Scenarios)
{
    public static BenchPlan Create(double scale, int repeats, int memoryRepeats, int workers, int parallel, IReadOnlyCollection<string>? only)
    {
        int Count(int full, int floor = 10) => Math.Max(floor, (int)Math.Round(full * scale));
        double Window(double full) => Math.Clamp(full * scale, 2, full);
        var small = Count(1_000);
        var large = Count(10_000);
        var all = new List<PlannedScenario>
        {
            new(ScenarioKind.Burst, ScenarioKind.Burst, Count(100_000, 100), 0, repeats),
            new(ScenarioKind.Latency, ScenarioKind.Latency, 1_000, Window(10), repeats),
            new($"{ScenarioKind.Precision}-{small}", ScenarioKind.Precision, small, Window(30), repeats),
            new($"{ScenarioKind.Precision}-{large}", ScenarioKind.Precision, large, Window(30), repeats),
            new(ScenarioKind.Durable, ScenarioKind.Durable, 0, Window(10), repeats),
            // Attaching 100,000 schedules to ConvoOrchestrator takes minutes (see the doc): memory may run fewer times.
            new(ScenarioKind.Memory, ScenarioKind.Memory, Count(100_000, 100), 0, memoryRepeats),
            // 100,000 60 s schedules for 3 minutes take 5-8 minutes a system (setup included): run once.
            new(ScenarioKind.Scale, ScenarioKind.Scale, Count(100_000, 100), Window(180), 1),
            // Three kill rounds (its size) and 30 s of busy cores in one run; ConvoOrchestrator only.
            new(ScenarioKind.Failover, ScenarioKind.Failover, Count(3, 1), Window(30), 1),
        };
        // Every scenario unless --only names some: the whole document comes from one command.
        var chosen = only is { Count: > 0 } ? all.Where(s => only.Contains(s.Scenario) || only.Contains(s.Label)).ToList() : all;
        return new BenchPlan(scale, workers, parallel, chosen);
    }

    /// <summary>The scenario sizes in words, for the report.</summary>
    public string Describe() => string.Join("; ", Scenarios.Select(s => (s.Scenario switch
    {
        ScenarioKind.Burst => $"burst: {s.Size:N0} jobs",
        ScenarioKind.Latency => $"latency: {s.Size:N0} jobs/s for {s.Seconds:0.#} s after a 1 s warm-up",
        ScenarioKind.Precision => $"{s.Label}: {s.Size:N0} schedules, {s.Seconds:0.#} s window",
        ScenarioKind.Durable => $"durable: emits for {s.Seconds:0.#} s after {ScenarioRunner.DurableWarmUpSeconds(s.Seconds):0.#} s of warm-up emits",
        ScenarioKind.Memory => $"memory: {s.Size:N0} idle scheduled events",
        ScenarioKind.Scale => $"scale: {s.Size:N0} schedules every {ScenarioRunner.ScalePeriod.TotalSeconds:0} s, {s.Seconds:0.#} s window " +
            $"after {ScenarioRunner.ScaleWarmUpSeconds(s.Seconds):0.#} s of warm-up",
        ScenarioKind.Failover => $"failover: {s.Size} kill round(s) of three Redis silos, then {s.Seconds:0.#} s of busy cores",
        _ => s.Label,
    }) + $", {s.Repeats} run(s)"));
}
