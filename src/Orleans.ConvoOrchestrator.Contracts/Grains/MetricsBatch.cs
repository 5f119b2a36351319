namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>Metric increments a silo has recorded since its last flush.</summary>
/// <param name="Counters">Counter deltas.</param>
/// <param name="Histograms">Histogram deltas (counts and sum to add).</param>
[GenerateSerializer, Immutable, Alias("convo.MetricsBatch")]
public sealed record MetricsBatch(List<CounterSample> Counters, List<HistogramSample> Histograms)
{
    /// <summary>True when there is nothing to add.</summary>
    public bool IsEmpty => Counters.Count == 0 && Histograms.Count == 0;
}
