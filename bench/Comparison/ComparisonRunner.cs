using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>
/// The parent process of a comparison: for each repetition, scenario and system it starts this program again
/// as a child (<c>--run-one</c>) so no system shares a process, heap or JIT with another, collects the children's
/// result lines and aggregates them.
/// </summary>
internal static class ComparisonRunner
{
    public static async Task<List<RunResult>> RunAsync(BenchPlan plan, TimeSpan childLimit)
    {
        var jobs = new List<(PlannedScenario Scenario, string System, int Repeat)>();
        // Repetition is the outer loop so slow drifts of the machine's load spread over all systems alike.
        for (var r = 1; r <= plan.Scenarios.Max(s => s.Repeats); r++)
            foreach (var scenario in plan.Scenarios.Where(s => s.Repeats >= r))
                foreach (var system in SystemKind.All)
                    if (SystemKind.Supports(system, scenario.Scenario)) jobs.Add((scenario, system, r));

        var results = new RunResult[jobs.Count];
        var done = 0;
        await Parallel.ForAsync(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = plan.Parallel }, async (i, _) =>
        {
            var (scenario, system, repeat) = jobs[i];
            var clock = Stopwatch.StartNew();
            var result = await RunChildAsync(system, scenario, plan.Workers, childLimit);
            results[i] = result with { Scenario = scenario.Label };
            Console.Error.WriteLine($"[{Interlocked.Increment(ref done)}/{jobs.Count}] {scenario.Label} / {system} #{repeat}: " +
                $"{(result.Error is { } e ? "FAILED " + e : string.Join(", ", result.Metrics.Select(m => $"{m.Key}={m.Value:0.###}")))} ({clock.Elapsed.TotalSeconds:0} s)");
        });
        return [.. results];
    }

    private static async Task<RunResult> RunChildAsync(string system, PlannedScenario scenario, int workers, TimeSpan limit)
    {
        var info = SelfStartInfo();
        foreach (var a in new[]
        {
            "--run-one", system, scenario.Scenario, "--size", scenario.Size.ToString(CultureInfo.InvariantCulture),
            "--seconds", scenario.Seconds.ToString(CultureInfo.InvariantCulture), "--workers", workers.ToString(CultureInfo.InvariantCulture),
        }) info.ArgumentList.Add(a);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + info.FileName);
        RunResult? result = null;
        var stderr = new List<string>();
        var readOut = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line) result ??= RunResult.TryParse(line);
        });
        var readErr = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
                lock (stderr) stderr.Add(line);
        });
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new RunResult(system, scenario.Scenario, [], Error: $"no result within {limit.TotalSeconds:0} s");
        }
        await Task.WhenAll(readOut, readErr);
        if (result is not null) return result;
        string tail;
        lock (stderr) tail = string.Join(" | ", stderr.TakeLast(5));
        return new RunResult(system, scenario.Scenario, [], Error: $"exit {process.ExitCode} without a result: {tail}");
    }

    // The same program, run the way this one was: as its apphost, or as "dotnet convo-bench.dll".
    private static ProcessStartInfo SelfStartInfo()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host);
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        return info;
    }
}
