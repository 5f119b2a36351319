namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>
/// The cluster's metrics. Silos batch increments locally and flush them here; a snapshot first drains every
/// registered silo, so it includes every run that completed before it was asked for.
/// </summary>
[Alias("convo.IMetricsGrain")]
public interface IMetricsGrain : IGrainWithStringKey
{
    /// <summary>Adds a batch and (re)registers its silo, when given, as a source to drain.</summary>
    [Alias("Flush")] Task FlushAsync(MetricsBatch batch, IMetricsSource? source);

    /// <summary>Every counter and histogram, after draining all sources.</summary>
    [Alias("Snapshot")] Task<MetricsSnapshot> SnapshotAsync();
}
