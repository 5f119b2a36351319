namespace Orleans.ConvoOrchestrator;

/// <summary>A histogram's buckets and counts.</summary>
/// <param name="Name">The metric name.</param>
/// <param name="Labels">Its labels, sorted by key.</param>
/// <param name="Buckets">Bucket upper bounds (inclusive).</param>
/// <param name="Counts">Observations per bucket, not cumulative; one more than <paramref name="Buckets"/>: the last is the overflow.</param>
/// <param name="Sum">Sum of all observations.</param>
[GenerateSerializer, Immutable, Alias("convo.HistogramSample")]
public sealed record HistogramSample(string Name, SortedDictionary<string, string> Labels, double[] Buckets, long[] Counts, double Sum)
{
    /// <summary>Number of observations.</summary>
    public long Count => Counts.Sum();
}
