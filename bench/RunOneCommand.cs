using System.Globalization;
using Orleans.ConvoOrchestrator.Bench.Comparison;

namespace Orleans.ConvoOrchestrator.Bench;

/// <summary>
/// <c>convo-bench --run-one SYSTEM SCENARIO --size N --seconds S --workers W</c>: one scenario on one system in
/// this process; prints one <c>RESULT {json}</c> line on stdout (progress goes to stderr). The comparison starts these.
/// For scale, N is the schedules and S the measured window; for failover (convo only), N is the kill rounds and S
/// how long the handler keeps every core busy.
/// </summary>
internal static class RunOneCommand
{
    public const string Usage = "convo-bench --run-one convo|quartz|hangfire burst|latency|precision|durable|memory|scale --size N [--seconds S] [--workers 32]\n" +
        "  convo-bench --run-one convo failover [--size ROUNDS] [--seconds BUSY-SECONDS]";

    public static async Task<int> RunAsync(CommandLine cmd)
    {
        cmd.OnlyKnown(["--size", "--seconds", "--workers"], [], positional: 3);
        if (cmd.Args.Count < 3) throw new ArgumentException("--run-one needs a system and a scenario");
        var system = cmd.Args[1];
        var scenario = cmd.Args[2];
        if (!SystemKind.All.Contains(system)) throw new ArgumentException($"unknown system '{system}'");
        // Without --size and --seconds, scale and failover run at the sizes.
        var (defaultSize, defaultSeconds) = scenario switch
        {
            ScenarioKind.Scale => ("100000", "180"),
            ScenarioKind.Failover => ("3", "30"),
            _ => ("1000", "10"),
        };
        var size = int.Parse(cmd.Option("--size", defaultSize), CultureInfo.InvariantCulture);
        var seconds = double.Parse(cmd.Option("--seconds", defaultSeconds), CultureInfo.InvariantCulture);
        var workers = int.Parse(cmd.Option("--workers", SystemSettings.DefaultWorkers.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        RunResult result;
        try
        {
            result = await ScenarioRunner.RunAsync(system, scenario, size, seconds, workers);
        }
        catch (Exception ex) when (ex is not ArgumentException)
        {
            Console.Error.WriteLine(ex);
            result = new RunResult(system, scenario, [], Error: ex.GetType().Name + ": " + ex.Message.Split('\n')[0]);
        }
        Console.WriteLine(result.ToLine());
        return result.Error is null ? 0 : 1;
    }
}
