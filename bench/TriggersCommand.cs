using System.Globalization;

namespace Orleans.ConvoOrchestrator.Bench;

/// <summary><c>convo-bench triggers</c>: the issue-3 trigger precision benchmark of ConvoOrchestrator alone.</summary>
internal static class TriggersCommand
{
    public const string Usage = "convo-bench triggers [--counts 1000,10000] [--seconds 30] [--anchors spread|aligned|both] [--gc-log] [--gc-phases]";

    public static async Task<int> RunAsync(CommandLine cmd)
    {
        var counts = cmd.Option("--counts", "1000,10000").Split(',').Select(int.Parse).ToList();
        var seconds = int.Parse(cmd.Option("--seconds", "30"), CultureInfo.InvariantCulture);
        var anchors = cmd.Option("--anchors", "both");
        var gcLog = cmd.Has("--gc-log");
        var gcPhases = cmd.Has("--gc-phases");
        var modes = anchors switch { "spread" => new[] { false }, "aligned" => new[] { true }, _ => new[] { false, true } };

        var results = new List<TriggerPrecisionBenchmark.Result>();
        foreach (var count in counts)
        foreach (var aligned in modes)
        {
            Console.Error.WriteLine($"{count} triggers, {(aligned ? "aligned" : "spread")} anchors, {seconds} s ...");
            results.Add(await TriggerPrecisionBenchmark.RunAsync(count, aligned, TimeSpan.FromSeconds(seconds), gcLog, gcPhases));
        }

        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine("| triggers | anchors | seconds | fires / expected | within 50 ms | p50 ms | p99 ms | max ms | CPU µs / fire | KB allocated / fire | GCs 0/1/2: pause, longest |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in results)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Triggers:N0} | {r.Anchors} | {r.Seconds} | {r.Fires:N0} / {r.Expected:N0} | {r.Within50MsShare:P2} | {r.P50Ms:0.00} | {r.P99Ms:0.00} | {r.MaxMs:0.0} | {r.CpuMicrosPerFire:0} | {r.AllocatedKbPerFire:0.0} | {r.GcPauses} |"));
        return 0;
    }
}
