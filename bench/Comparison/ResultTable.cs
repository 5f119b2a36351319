using System.Globalization;
using System.Text;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>
/// Turns the children's results into the comparison table (median of the repetitions with their min–max, and
/// Convo's ratio to each other system) and the targets' verdicts, as Markdown.
/// </summary>
internal sealed class ResultTable(BenchPlan plan, IReadOnlyList<RunResult> results)
{
    private sealed record Metric(string Key, string Name, string Format, double Factor = 1);

    private static readonly Dictionary<string, Metric[]> Metrics = new()
    {
        [ScenarioKind.Burst] =
        [
            new("jobs_per_s", "jobs completed / s ↑", "N0"),
            new("cpu_us_per_job", "CPU µs / job ↓", "N0"),
        ],
        [ScenarioKind.Latency] =
        [
            new("p50_ms", "emit→start p50 ms ↓", "0.00"),
            new("p99_ms", "emit→start p99 ms ↓", "0.00"),
            new("max_ms", "emit→start max ms ↓", "0.0"),
        ],
        [ScenarioKind.Precision] =
        [
            new("within_50ms", "fires within 50 ms % ↑", "0.00", 100),
            new("p50_ms", "lateness p50 ms ↓", "0.00"),
            new("p99_ms", "lateness p99 ms ↓", "0.00"),
            new("max_ms", "lateness max ms ↓", "0.0"),
            new("fired_share", "due fires that ran % ↑", "0.00", 100),
            new("setup_s", "setup s ↓", "0.0"),
            new("cpu_us_per_fire", "CPU µs / fire ↓", "N0"),
            new("alloc_bytes_per_fire", "allocated bytes / fire ↓", "N0"),
            new("gen0_collections_per_s", "gen 0 collections / s ↓", "0.0"),
            new("gc_pause_max_ms", "longest GC pause in the window ms ↓", "0.0"),
        ],
        [ScenarioKind.Durable] =
        [
            new("accepted_per_s", "accepted jobs / s ↑", "N0"),
        ],
        [ScenarioKind.Memory] =
        [
            new("ws_bytes_per_event", "working set bytes / event, just set up ↓", "N0"),
            new("heap_bytes_per_event", "managed heap bytes / event, just set up ↓", "N0"),
            new("ws_bytes_per_event_at_rest", "working set bytes / event, at rest ↓", "N0"),
            new("heap_bytes_per_event_at_rest", "managed heap bytes / event, at rest ↓", "N0"),
            new("setup_s", "setup s ↓", "0.0"),
        ],
        [ScenarioKind.Scale] =
        [
            new("within_50ms", "fires within 50 ms % ↑", "0.00", 100),
            new("p50_ms", "lateness p50 ms ↓", "0.00"),
            new("p99_ms", "lateness p99 ms ↓", "0.00"),
            new("max_ms", "lateness max ms ↓", "0.0"),
            new("fired_share", "due fires that ran % ↑", "0.00", 100),
            new("fires_per_s", "fires / s in the window ↑", "N0"),
            new("cpu_us_per_fire", "CPU µs / fire ↓", "N0"),
            new("alloc_bytes_per_fire", "allocated bytes / fire ↓", "N0"),
            new("ws_bytes_per_schedule", "working set bytes / schedule ↓", "N0"),
            new("heap_bytes_per_schedule", "managed heap bytes / schedule ↓", "N0"),
            new("gen2_collections", "gen 2 collections in the window ↓", "N0"),
            new("gc_pause_max_ms", "longest GC pause in the window ms ↓", "0.0"),
            new("setup_s", "setup s ↓", "0.000"),
        ],
        [ScenarioKind.Failover] =
        [
            new("kill_to_fire_median_s", "kill → next fire median s ↓", "0.00"),
            new("kill_to_fire_min_s", "kill → next fire min s ↓", "0.00"),
            new("kill_to_fire_max_s", "kill → next fire max s ↓", "0.00"),
            new("kill_to_dead_median_s", "kill → declared dead median s ↓", "0.00"),
            new("busy_false_dead", "busy silo: false dead verdicts ↓", "0"),
            new("busy_death_votes", "busy silo: death votes ↓", "0"),
            new("busy_max_fire_gap_s", "busy silo: longest gap between fires s ↓", "0.00"),
        ],
    };

    /// <summary>The comparison table: one row per scenario and figure, one column per system.</summary>
    public string Render()
    {
        var md = new StringBuilder();
        md.AppendLine("| scenario | figure | " + string.Join(" | ", SystemKind.All.Select(SystemKind.DisplayName)) + " | Convo ÷ Quartz | Convo ÷ Hangfire |");
        md.AppendLine("|---|---|" + string.Concat(SystemKind.All.Select(_ => "---:|")) + "---:|---:|");
        foreach (var scenario in plan.Scenarios)
        foreach (var metric in Metrics[scenario.Scenario])
        {
            var cells = SystemKind.All.Select(system => Cell(scenario, system, metric));
            var convo = Median(scenario.Label, SystemKind.Convo, metric.Key);
            md.AppendLine($"| {scenario.Label} | {metric.Name} | {string.Join(" | ", cells)} | " +
                $"{Ratio(convo, Median(scenario.Label, SystemKind.Quartz, metric.Key))} | {Ratio(convo, Median(scenario.Label, SystemKind.Hangfire, metric.Key))} |");
        }
        return md.ToString();
    }

    /// <summary>
    /// The targets of issue 21 (medians of the runs unless a row says otherwise) and those of issue 6 still checked,
    /// each with the measured figures and whether it is met.
    /// </summary>
    public string RenderTargets()
    {
        var md = new StringBuilder();
        md.AppendLine("| target | measured | met? |");
        md.AppendLine("|---|---|---|");
        void Row(string target, string measured, bool? met) =>
            md.AppendLine($"| {target} | {measured} | {(met is null ? "not measured" : met.Value ? "yes" : "**no**")} |");
        string Times(double? r) => r is { } v && !double.IsNaN(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "n/a";
        bool? All(params bool?[] checks) => checks.Any(c => c is null) ? null : checks.All(c => c!.Value);
        PlannedScenario? Of(string kind) => plan.Scenarios.FirstOrDefault(s => s.Scenario == kind);
        double? Convo(PlannedScenario s, string key) => Median(s.Label, SystemKind.Convo, key);
        double? Quartz(PlannedScenario s, string key) => Median(s.Label, SystemKind.Quartz, key);
        double? Hangfire(PlannedScenario s, string key) => Median(s.Label, SystemKind.Hangfire, key);
        string Ms(double? v) => Fmt(v, "0.00") + " ms";

        // 1. Lateness at most Quartz.NET's, at both sizes.
        foreach (var precision in plan.Scenarios.Where(s => s.Scenario == ScenarioKind.Precision).OrderBy(s => s.Size))
        {
            double? c50 = Convo(precision, "p50_ms"), q50 = Quartz(precision, "p50_ms"), c99 = Convo(precision, "p99_ms"), q99 = Quartz(precision, "p99_ms");
            Row($"1. lateness p50 and p99 at {precision.Size:N0} schedules <= Quartz's",
                $"p50 {Ms(c50)} vs {Ms(q50)}; p99 {Ms(c99)} vs {Ms(q99)}", All(c50 <= q50, c99 <= q99));
        }
        // 2. Set-up at most 3x Quartz.NET's: the every-second schedules and the idle ones.
        if (plan.Scenarios.Where(s => s.Scenario == ScenarioKind.Precision).MaxBy(s => s.Size) is { } near)
        {
            double? c = Convo(near, "setup_s"), q = Quartz(near, "setup_s");
            Row($"2. set-up of {near.Size:N0} every-second schedules <= 3× Quartz's", $"{Fmt(c, "0.0")} s vs {Fmt(q, "0.0")} s ({Times(Div(c, q))})", All(c <= 3 * q));
        }
        if (Of(ScenarioKind.Memory) is { } idle)
        {
            double? c = Convo(idle, "setup_s"), q = Quartz(idle, "setup_s");
            Row($"2. set-up of {idle.Size:N0} idle schedules <= 3× Quartz's", $"{Fmt(c, "0.0")} s vs {Fmt(q, "0.0")} s ({Times(Div(c, q))})", All(c <= 3 * q));
            // 3. Memory: just set up at most twice Quartz.NET's, at rest at most Hangfire's (working sets).
            double? just = Convo(idle, "ws_bytes_per_event"), qJust = Quartz(idle, "ws_bytes_per_event");
            double? rest = Convo(idle, "ws_bytes_per_event_at_rest"), hRest = Hangfire(idle, "ws_bytes_per_event_at_rest");
            Row("3. working set per schedule just set up <= 2× Quartz's", $"{Fmt(just, "N0")} B vs {Fmt(qJust, "N0")} B ({Times(Div(just, qJust))})", All(just <= 2 * qJust));
            Row("3. working set per schedule at rest <= Hangfire's", $"{Fmt(rest, "N0")} B vs {Fmt(hRest, "N0")} B ({Times(Div(rest, hRest))})", All(rest <= hRest));
        }
        // 4. Emit to start.
        if (Of(ScenarioKind.Latency) is { } latency)
        {
            double? c = Convo(latency, "p99_ms"), q = Quartz(latency, "p99_ms");
            Row("4. emit → start p99 <= Quartz's", $"{Ms(c)} vs {Ms(q)}", All(c <= q));
        }
        // 5. Ratios in every run: ConvoOrchestrator's slowest run against the others' medians.
        if (Of(ScenarioKind.Burst) is { } burst)
        {
            var slowest = Lowest(burst.Label, SystemKind.Convo, "jobs_per_s");
            double? q = Div(slowest, Quartz(burst, "jobs_per_s")), h = Div(slowest, Hangfire(burst, "jobs_per_s"));
            Row("5. burst >= 2× Quartz and >= 6× Hangfire in every run (Convo's slowest run over their medians)",
                $"{Times(q)} Quartz, {Times(h)} Hangfire", All(q >= 2.0, h >= 6.0));
        }
        if (Of(ScenarioKind.Durable) is { } durable)
        {
            var h = Div(Lowest(durable.Label, SystemKind.Convo, "accepted_per_s"), Hangfire(durable, "accepted_per_s"));
            Row("5. durable >= 10× Hangfire in every run (Convo's slowest run over its median)", $"{Times(h)} Hangfire", All(h >= 10));
        }
        // 6. Scale.
        if (Of(ScenarioKind.Scale) is { } scale)
        {
            double? w = Convo(scale, "within_50ms"), p99 = Convo(scale, "p99_ms"), q = Quartz(scale, "p99_ms");
            Row($"6. scale, {scale.Size:N0} schedules: 100 % within 50 ms and p99 <= Quartz's",
                $"{Fmt(w * 100, "0.00")} %, p99 {Ms(p99)} vs {Ms(q)}", All(w >= 1.0, p99 <= q));
        }
        // 7. Failover: the median of the kill rounds, and no false verdict on the busy silo.
        if (Of(ScenarioKind.Failover) is { } failover)
        {
            double? median = Convo(failover, "kill_to_fire_median_s"), max = Convo(failover, "kill_to_fire_max_s"), falseDead = Convo(failover, "busy_false_dead");
            Row("7. failover: kill → next fire <= 2 s, no false dead verdict for a busy silo",
                $"median {Fmt(median, "0.00")} s (slowest round {Fmt(max, "0.00")} s); {Fmt(falseDead, "0")} false dead verdicts", All(median <= 2, falseDead == 0));
        }
        // Issue 6's targets that still stand.
        if (plan.Scenarios.Where(s => s.Scenario == ScenarioKind.Precision).MaxBy(s => s.Size) is { } precision6)
        {
            double? w = Convo(precision6, "within_50ms"), p99 = Convo(precision6, "p99_ms");
            Row($"issue 6: precision at {precision6.Size:N0} schedules: 100 % within 50 ms and p99 <= 10 ms",
                $"{Fmt(w * 100, "0.00")} %, p99 {Ms(p99)}", All(w >= 1.0, p99 <= 10));
        }
        if (Of(ScenarioKind.Memory) is { } memory6)
        {
            double? ws = Convo(memory6, "ws_bytes_per_event_at_rest"), heap = Convo(memory6, "heap_bytes_per_event_at_rest");
            Row("issue 6: memory <= 2 KiB per idle scheduled event", $"at rest: {Fmt(ws, "N0")} B working set, {Fmt(heap, "N0")} B managed heap",
                All(ws <= 2048, heap <= 2048));
        }
        return md.ToString();
    }

    /// <summary>Notes the children attached (how each system expresses a schedule, incomplete runs) and failures.</summary>
    public IEnumerable<string> Notes() => results
        .Where(r => r.Error is not null || r.Note is not null)
        .Select(r => $"{r.Scenario} / {SystemKind.DisplayName(r.System)}: {r.Error ?? r.Note}")
        .Distinct();

    /// <summary>True when every system has a figure for every scenario it supports.</summary>
    public bool Complete => plan.Scenarios.All(s => SystemKind.All.Where(sys => SystemKind.Supports(sys, s.Scenario))
        .All(sys => Runs(s.Label, sys).Any()));

    private string Cell(PlannedScenario scenario, string system, Metric metric)
    {
        if (!SystemKind.Supports(system, scenario.Scenario)) return "n/a";
        var values = Runs(scenario.Label, system).Select(r => r.Metrics.GetValueOrDefault(metric.Key, double.NaN) * metric.Factor)
            .Where(v => !double.IsNaN(v)).Order().ToList();
        if (values.Count == 0) return Runs(scenario.Label, system).Any() ? "–" : "failed";
        var median = MedianOf(values);
        return values.Count == 1
            ? median.ToString(metric.Format, CultureInfo.InvariantCulture)
            : $"{median.ToString(metric.Format, CultureInfo.InvariantCulture)} ({values[0].ToString(metric.Format, CultureInfo.InvariantCulture)}–{values[^1].ToString(metric.Format, CultureInfo.InvariantCulture)})";
    }

    private IEnumerable<RunResult> Runs(string label, string system) =>
        results.Where(r => r.Scenario == label && r.System == system && r.Error is null);

    private double? Median(string label, string system, string key)
    {
        var values = Runs(label, system).Select(r => r.Metrics.GetValueOrDefault(key, double.NaN)).Where(v => !double.IsNaN(v)).Order().ToList();
        return values.Count == 0 ? null : MedianOf(values);
    }

    private double? Lowest(string label, string system, string key) =>
        Runs(label, system).Select(r => r.Metrics.GetValueOrDefault(key, double.NaN)).Where(v => !double.IsNaN(v)).Order()
            .Select(v => (double?)v).FirstOrDefault();

    private static double MedianOf(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    private static double? Div(double? a, double? b) => a is { } x && b is { } y && y != 0 ? x / y : null;

    private static string Ratio(double? convo, double? other) =>
        Div(convo, other) is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";

    private static string Fmt(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}
