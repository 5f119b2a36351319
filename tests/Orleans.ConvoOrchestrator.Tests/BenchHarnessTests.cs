using System.Diagnostics;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// The comparison benchmark (bench/, "convo-bench") run as a process at a tiny size: every scenario gives a figure
/// for every system (each system's run in its own child process, Redis started by the harness), the table is
/// printed and the report lands in the document it is pointed at. Keeps the harness from rotting.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class BenchHarnessTests
{
    private static readonly string[] Scenarios = ["burst", "latency", "precision-10", "precision-100", "durable", "memory", "scale"];

    [Fact]
    public async Task Quick_tiny_run_prints_a_row_with_a_figure_for_every_system_and_scenario()
    {
        var doc = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.md");
        File.WriteAllText(doc, "# Benchmarks\n\nhand-written text that must survive\n");
        try
        {
            // --parallel: children run side by side to keep the test short; figures are not comparable then.
            var (exit, stdout, stderr) = await RunAsync(TimeSpan.FromSeconds(150),
                "--quick", "--scale", "0.01", "--parallel", "6", "--only", "burst,latency,precision,durable,memory,scale", "--doc", doc);
            var context = $"exit {exit}\nstdout:\n{stdout}\nstderr (tail):\n{string.Join('\n', stderr.Split('\n').TakeLast(30))}";
            Assert.True(exit == 0, context);

            var rows = stdout.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal))
                .Select(l => l.Split('|', StringSplitOptions.TrimEntries)[1..^1]).ToList();
            var header = rows.First(r => r[0] == "scenario");
            Assert.Equal(["scenario", "figure", "ConvoOrchestrator", "Quartz.NET", "Hangfire", "Convo ÷ Quartz", "Convo ÷ Hangfire"], header);
            foreach (var scenario in Scenarios)
            {
                var mine = rows.Where(r => r[0] == scenario).ToList();
                Assert.True(mine.Count > 0, $"no row for {scenario}\n{context}");
                for (var column = 2; column <= 4; column++)
                {
                    var cells = mine.Select(r => r[column]).ToList();
                    // Quartz.NET has no Redis store: the durable scenario is Convo vs Hangfire.
                    if (scenario == "durable" && header[column] == "Quartz.NET")
                    {
                        Assert.All(cells, cell => Assert.Equal("n/a", cell));
                        continue;
                    }
                    // Every cell is a figure, or "–" when the run had no sample for it (a 2 s precision window on a
                    // loaded machine may see no fire of a slow scheduler); "failed" (no result) never passes, and
                    // every system has at least one figure in every scenario.
                    Assert.All(cells, cell => Assert.True(cell == "–" || IsFigure(cell),
                        $"{scenario} / {header[column]} has '{cell}', not a figure\n{context}"));
                    Assert.True(cells.Any(IsFigure), $"{scenario} / {header[column]}: no figure at all\n{context}");
                }
            }

            var written = File.ReadAllText(doc);
            Assert.Contains("hand-written text that must survive", written);
            Assert.Contains("| burst | jobs completed / s ↑ |", written);
            Assert.Contains("Targets (issue 21", written);
            Assert.Contains("| 5. burst >= 2× Quartz and >= 6× Hangfire in every run", written);
        }
        finally
        {
            File.Delete(doc);
        }
    }

    [Fact]
    public async Task Scale_scenario_gives_every_system_its_rows_with_sane_lateness_cost_and_memory()
    {
        var doc = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.md");
        try
        {
            // 600 schedules every 60 s (10 fires a second) over a 2 s window: the 100,000 at a tiny size.
            var (exit, stdout, stderr) = await RunAsync(TimeSpan.FromSeconds(150),
                "--quick", "--scale", "0.006", "--only", "scale", "--parallel", "3", "--doc", doc);
            var context = $"exit {exit}\nstdout:\n{stdout}\nstderr (tail):\n{string.Join('\n', stderr.Split('\n').TakeLast(30))}";
            Assert.True(exit == 0, context);
            Assert.Contains("scale: 600 schedules every 60 s, 2 s window after 1 s of warm-up", stdout);

            var rows = stdout.Split('\n').Where(l => l.StartsWith("| scale |", StringComparison.Ordinal))
                .Select(l => l.Split('|', StringSplitOptions.TrimEntries)[1..^1]).ToDictionary(r => r[1]);
            foreach (var figure in new[] { "fires within 50 ms % ↑", "lateness p50 ms ↓", "lateness p99 ms ↓", "lateness max ms ↓", "due fires that ran % ↑",
                         "fires / s in the window ↑", "CPU µs / fire ↓", "working set bytes / schedule ↓", "managed heap bytes / schedule ↓", "setup s ↓" })
                Assert.True(rows.ContainsKey(figure), $"no scale row '{figure}'\n{context}");
            for (var column = 2; column <= 4; column++)
            {
                double Cell(string figure) => double.Parse(rows[figure][column].Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);
                var system = column switch { 2 => "Convo", 3 => "Quartz", _ => "Hangfire" };
                Assert.InRange(Cell("fires within 50 ms % ↑"), 0, 100);
                // The max is printed to 0.1 ms, the percentiles to 0.01 ms.
                Assert.True(Cell("lateness p50 ms ↓") <= Cell("lateness p99 ms ↓") && Cell("lateness p99 ms ↓") <= Cell("lateness max ms ↓") + 0.05,
                    $"{system}: percentiles out of order\n{context}");
                Assert.True(Cell("CPU µs / fire ↓") > 0, $"{system}: no CPU per fire\n{context}");
                Assert.True(Cell("managed heap bytes / schedule ↓") > 0, $"{system}: schedules cost no memory?\n{context}");
                Assert.True(Cell("setup s ↓") > 0, $"{system}: no setup time\n{context}");
                // The anchors spread 600 schedules evenly: ~10 fires a second are due; every one runs (Hangfire may lag behind).
                if (column < 4)
                {
                    Assert.InRange(Cell("due fires that ran % ↑"), 90, 101);
                    Assert.InRange(Cell("fires / s in the window ↑"), 8, 11);
                }
            }
            var written = File.ReadAllText(doc);
            Assert.Contains("| scale | fires within 50 ms % ↑ |", written);
            Assert.Contains("| 6. scale, 600 schedules: 100 % within 50 ms and p99 <= Quartz's |", written);
        }
        finally
        {
            File.Delete(doc);
        }
    }

    [Fact]
    public async Task Failover_scenario_measures_kill_to_next_fire_and_keeps_a_busy_silo_alive()
    {
        // One kill round and 3 s of every core busy: three stock silo processes on a throwaway Redis.
        var (exit, stdout, stderr) = await RunAsync(TimeSpan.FromSeconds(240), "--run-one", "convo", "failover", "--size", "1", "--seconds", "3");
        var context = $"exit {exit}\nstdout:\n{stdout}\nstderr (tail):\n{string.Join('\n', stderr.Split('\n').TakeLast(30))}";
        Assert.True(exit == 0, context);
        var result = stdout.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        using var json = System.Text.Json.JsonDocument.Parse(result["RESULT ".Length..]);
        var metrics = json.RootElement.GetProperty("metrics");
        double Metric(string key) => metrics.GetProperty(key).GetDouble();

        Assert.Equal(1, Metric("rounds"));
        Assert.Equal(Metric("kill_to_fire_min_s"), Metric("kill_to_fire_max_s"));
        // Fired again on another silo, after the kill and well within the scenario's minute.
        Assert.InRange(Metric("kill_to_fire_median_s"), 0.01, 30);
        Assert.InRange(Metric("kill_to_dead_median_s"), 0.01, 30);
        // The busy silo ran the busy job, stayed Active with no vote against it, and its trigger kept firing.
        Assert.Equal(1, Metric("busy_job_on_busy_silo"));
        Assert.Equal(0, Metric("busy_false_dead"));
        Assert.True(Metric("busy_fires_per_s") > 0, context);
        // Shorter than the 3 s spin: the busy silo's trigger kept firing through it. How close to 1 s the gap stays is a
        // benchmark figure (1.00-1.01 s on a quiet machine); here the suite's other processes share the cores (2.7 s seen).
        Assert.InRange(Metric("busy_max_fire_gap_s"), 0, 2.99);
        Assert.Contains("SIGKILL", json.RootElement.GetProperty("note").GetString());
    }

    [Fact]
    public async Task Failover_scenario_is_refused_for_the_other_systems()
    {
        var (exit, _, stderr) = await RunAsync(TimeSpan.FromSeconds(30), "--run-one", "quartz", "failover");
        Assert.Equal(2, exit);
        Assert.Contains("the failover scenario runs on convo only", stderr);
    }

    [Fact]
    public async Task Bad_option_is_refused_with_usage_and_runs_nothing()
    {
        var (exit, stdout, stderr) = await RunAsync(TimeSpan.FromSeconds(30), "--scale", "-1");
        Assert.Equal(2, exit);
        Assert.Contains("--scale must be a positive number", stderr);
        Assert.DoesNotContain("| scenario |", stdout);
    }

    private static bool IsFigure(string cell) =>
        double.TryParse(cell.Replace(",", ""), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    private static async Task<(int Exit, string StdOut, string StdErr)> RunAsync(TimeSpan limit, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(RepoPaths.Program("bench", "convo-bench"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"convo-bench {string.Join(' ', args)} did not finish within {limit}; stderr: {await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
