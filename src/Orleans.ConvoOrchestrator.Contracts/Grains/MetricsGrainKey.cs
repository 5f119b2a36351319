namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>Key of the metrics grain.</summary>
public static class MetricsGrainKey
{
    /// <summary>The one metrics grain of a cluster.</summary>
    public const string Cluster = "cluster";
}
