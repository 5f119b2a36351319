using System.Globalization;

namespace Orleans.ConvoOrchestrator.Bench;

/// <summary><c>convo-bench durable</c>: accepted emits a second of ConvoOrchestrator alone on the Redis store.</summary>
internal static class DurableCommand
{
    public const string Usage = "convo-bench durable [--fsync always,everysec] [--depths 10,10000] [--emits 20000] [--concurrency 64] [--ack-replicas 0,1]";

    public static async Task<int> RunAsync(CommandLine cmd)
    {
        var durable = await DurableEmitBenchmark.RunAsync(cmd.Option("--fsync", "always,everysec").Split(','),
            cmd.Option("--depths", "10,10000").Split(',').Select(int.Parse).ToArray(),
            int.Parse(cmd.Option("--emits", "20000"), CultureInfo.InvariantCulture),
            int.Parse(cmd.Option("--concurrency", "64"), CultureInfo.InvariantCulture),
            cmd.Option("--ack-replicas", "0").Split(',').Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray());
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine();
        DurableEmitBenchmark.Print(durable);
        return 0;
    }
}
