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

    /// <summary>The issue's targets, each with the measured figures and whether it is met.</summary>
    public string RenderTargets()
    {
        var md = new StringBuilder();
        md.AppendLine("| target | measured | met? |");
        md.AppendLine("|---|---|---|");
        void Row(string target, string measured, bool? met) =>
            md.AppendLine($"| {target} | {measured} | {(met is null ? "not measured" : met.Value ? "yes" : "**no**")} |");
        string Times(double? r) => r is { } v && !double.IsNaN(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "n/a";
        bool? All(params bool?[] checks) => checks.Any(c => c is null) ? null : checks.All(c => c!.Value);

        if (plan.Scenarios.FirstOrDefault(s => s.Scenario == ScenarioKind.Burst) is { } burst)
        {
            var q = Div(Median(burst.Label, SystemKind.Convo, "jobs_per_s"), Median(burst.Label, SystemKind.Quartz, "jobs_per_s"));
            var h = Div(Median(burst.Label, SystemKind.Convo, "jobs_per_s"), Median(burst.Label, SystemKind.Hangfire, "jobs_per_s"));
            Row("burst >= 1.0× Quartz and >= 3× Hangfire", $"{Times(q)} Quartz, {Times(h)} Hangfire", All(q >= 1.0, h >= 3.0));
        }
        if (plan.Scenarios.FirstOrDefault(s => s.Scenario == ScenarioKind.Latency) is { } latency)
        {
            var c = Median(latency.Label, SystemKind.Convo, "p50_ms");
            var q = Median(latency.Label, SystemKind.Quartz, "p50_ms");
            Row("latency p50 <= Quartz's", $"{Fmt(c, "0.00")} ms vs {Fmt(q, "0.00")} ms", All(c <= q));
        }
        if (plan.Scenarios.Where(s => s.Scenario == ScenarioKind.Precision).MaxBy(s => s.Size) is { } precision)
        {
            var w = Median(precision.Label, SystemKind.Convo, "within_50ms");
            var p99 = Median(precision.Label, SystemKind.Convo, "p99_ms");
            Row($"precision at {precision.Size:N0} schedules: 100 % within 50 ms and p99 <= 10 ms",
                $"{Fmt(w * 100, "0.00")} %, p99 {Fmt(p99, "0.00")} ms", All(w >= 1.0, p99 <= 10));
        }
        if (plan.Scenarios.FirstOrDefault(s => s.Scenario == ScenarioKind.Durable) is { } durable)
        {
            var h = Div(Median(durable.Label, SystemKind.Convo, "accepted_per_s"), Median(durable.Label, SystemKind.Hangfire, "accepted_per_s"));
            Row("durable >= 10× Hangfire", $"{Times(h)} Hangfire", All(h >= 10));
        }
        if (plan.Scenarios.FirstOrDefault(s => s.Scenario == ScenarioKind.Scale) is { } scale)
        {
            var w = Median(scale.Label, SystemKind.Convo, "within_50ms");
            var p99 = Median(scale.Label, SystemKind.Convo, "p99_ms");
            var q = Median(scale.Label, SystemKind.Quartz, "p99_ms");
            Row($"scale at {scale.Size:N0} schedules (issue 21): 100 % within 50 ms and p99 <= Quartz's",
                $"{Fmt(w * 100, "0.00")} %, p99 {Fmt(p99, "0.00")} ms vs {Fmt(q, "0.00")} ms", All(w >= 1.0, p99 <= q));
        }
        if (plan.Scenarios.FirstOrDefault(s => s.Scenario == ScenarioKind.Failover) is { } failover)
        {
            var max = Median(failover.Label, SystemKind.Convo, "kill_to_fire_max_s");
            var falseDead = Median(failover.Label, SystemKind.Convo, "busy_false_dead");
            Row("failover (issue 21): kill → next fire <= 2 s, no false dead verdict under load",
                $"slowest {Fmt(max, "0.00")} s; {Fmt(falseDead, "0")} false dead verdicts", All(max <= 2, falseDead == 0));
        }
        if (plan.Scenarios.FirstOrDefault(s => s.Scenario == ScenarioKind.Memory) is { } memory)
        {
            // An idle event's lasting cost is what it keeps at rest (just after setup its grains are still active).
            var ws = Median(memory.Label, SystemKind.Convo, "ws_bytes_per_event_at_rest");
            var heap = Median(memory.Label, SystemKind.Convo, "heap_bytes_per_event_at_rest");
            Row("memory <= 2 KiB per idle scheduled event", $"at rest: {Fmt(ws, "N0")} B working set, {Fmt(heap, "N0")} B managed heap",
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

    private static double MedianOf(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    private static double? Div(double? a, double? b) => a is { } x && b is { } y && y != 0 ? x / y : null;

    private static string Ratio(double? convo, double? other) =>
        Div(convo, other) is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";

    private static string Fmt(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}
