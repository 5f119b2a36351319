namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>The scenarios, by the names the command line uses.</summary>
internal static class ScenarioKind
{
    public const string Burst = "burst";
    public const string Latency = "latency";
    public const string Precision = "precision";
    public const string Durable = "durable";
    public const string Memory = "memory";
    public const string Scale = "scale";
    public const string Failover = "failover";
}
