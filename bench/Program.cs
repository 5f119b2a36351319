using System.Globalization;
using Orleans.ConvoOrchestrator.Bench;

// dotnet run -c Release --project bench -- triggers [--counts 1000,10000] [--seconds 30] [--anchors spread|aligned|both]
var argv = args.ToList();
if (argv.Count == 0 || argv[0] != "triggers")
{
    Console.Error.WriteLine("usage: convo-bench triggers [--counts 1000,10000] [--seconds 30] [--anchors spread|aligned|both]");
    return 2;
}
string Option(string name, string fallback)
{
    var at = argv.IndexOf(name);
    return at >= 0 && at + 1 < argv.Count ? argv[at + 1] : fallback;
}
var counts = Option("--counts", "1000,10000").Split(',').Select(int.Parse).ToList();
var seconds = int.Parse(Option("--seconds", "30"), CultureInfo.InvariantCulture);
var anchors = Option("--anchors", "both");
var modes = anchors switch { "spread" => new[] { false }, "aligned" => new[] { true }, _ => new[] { false, true } };

var results = new List<TriggerPrecisionBenchmark.Result>();
foreach (var count in counts)
foreach (var aligned in modes)
{
    Console.Error.WriteLine($"{count} triggers, {(aligned ? "aligned" : "spread")} anchors, {seconds} s ...");
    results.Add(await TriggerPrecisionBenchmark.RunAsync(count, aligned, TimeSpan.FromSeconds(seconds)));
}

Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine();
Console.WriteLine("| triggers | anchors | seconds | fires / expected | within 50 ms | p50 ms | p99 ms | max ms | CPU µs / fire |");
Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (var r in results)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r.Triggers:N0} | {r.Anchors} | {r.Seconds} | {r.Fires:N0} / {r.Expected:N0} | {r.Within50MsShare:P2} | {r.P50Ms:0.00} | {r.P99Ms:0.00} | {r.MaxMs:0.0} | {r.CpuMicrosPerFire:0} |"));
return 0;
