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
    private static readonly string[] Scenarios = ["burst", "latency", "precision-10", "precision-100", "durable", "memory"];

    [Fact]
    public async Task Quick_tiny_run_prints_a_row_with_a_figure_for_every_system_and_scenario()
    {
        var doc = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.md");
        File.WriteAllText(doc, "# Benchmarks\n\nhand-written text that must survive\n");
        try
        {
            // --parallel: children run side by side to keep the test short; figures are not comparable then.
            var (exit, stdout, stderr) = await RunAsync(TimeSpan.FromSeconds(150),
                "--quick", "--scale", "0.01", "--parallel", "6", "--doc", doc);
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
            Assert.Contains("Targets (issue 6)", written);
        }
        finally
        {
            File.Delete(doc);
        }
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
