using System.Globalization;
using Orleans.ConvoOrchestrator.Bench;

// dotnet run -c Release --project bench -- triggers [--counts 1000,10000] [--seconds 30] [--anchors spread|aligned|both]
// dotnet run -c Release --project bench -- durable [--fsync always,everysec] [--depths 10,10000] [--emits 20000] [--concurrency 64]
var argv = args.ToList();
if (argv.Count == 0 || argv[0] is not ("triggers" or "durable"))
{
    Console.Error.WriteLine("usage: convo-bench triggers [--counts 1000,10000] [--seconds 30] [--anchors spread|aligned|both]");
    Console.Error.WriteLine("       convo-bench durable [--fsync always,everysec] [--depths 10,10000] [--emits 20000] [--concurrency 64]");
    return 2;
}
if (argv[0] == "durable")
{
    var durable = await DurableEmitBenchmark.RunAsync(Option("--fsync", "always,everysec").Split(','),
        Option("--depths", "10,10000").Split(',').Select(int.Parse).ToArray(),
        int.Parse(Option("--emits", "20000"), CultureInfo.InvariantCulture), int.Parse(Option("--concurrency", "64"), CultureInfo.InvariantCulture));
    Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
    Console.WriteLine();
    DurableEmitBenchmark.Print(durable);
    return 0;
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
