namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>A silo's metrics batcher, as seen by the metrics grain.</summary>
[Alias("convo.IMetricsSource")]
public interface IMetricsSource : IGrainObserver
{
    /// <summary>Hands over (and forgets) everything recorded since the last flush.</summary>
    [Alias("Drain")] Task<MetricsBatch> DrainAsync();
}
