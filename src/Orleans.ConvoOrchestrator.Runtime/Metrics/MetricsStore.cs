using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Metrics;

/// <summary>
/// Counters and histograms keyed by name + labels. Not thread-safe: the per-silo collector guards it with a
/// lock, the metrics grain with its turn. Merging a batch adds counts, so batches can be flushed in any order.
/// </summary>
internal sealed class MetricsStore
{
    private readonly Dictionary<(string Name, string Labels), CounterSeries> _counters = new();
    private readonly Dictionary<(string Name, string Labels), HistogramSeries> _histograms = new();

    /// <summary>True when nothing has been recorded.</summary>
    public bool IsEmpty => _counters.Count == 0 && _histograms.Count == 0;

    /// <summary>Adds <paramref name="delta"/> to a counter.</summary>
    public void Add(string name, SortedDictionary<string, string> labels, long delta)
    {
        var key = (name, LabelKey(labels));
        if (_counters.TryGetValue(key, out var series)) series.Value += delta;
        else _counters[key] = new CounterSeries(name, labels) { Value = delta };
    }

    /// <summary>Records one observation into a histogram with bucket bounds <paramref name="buckets"/>.</summary>
    public void Observe(string name, SortedDictionary<string, string> labels, IReadOnlyList<double> buckets, double value)
    {
        var series = Histogram(name, labels, buckets);
        series.Counts[BucketIndex(buckets, value)]++;
        series.Sum += value;
    }

    /// <summary>The bucket <paramref name="value"/> falls in: the first bound it does not exceed, else the overflow.</summary>
    internal static int BucketIndex(IReadOnlyList<double> buckets, double value)
    {
        var index = 0;
        while (index < buckets.Count && value > buckets[index]) index++;
        return index;
    }

    /// <summary>Adds every counter and histogram of <paramref name="batch"/>.</summary>
    public void Merge(MetricsBatch batch)
    {
        foreach (var c in batch.Counters) Add(c.Name, c.Labels, c.Value);
        foreach (var h in batch.Histograms)
        {
            var series = Histogram(h.Name, h.Labels, h.Buckets);
            if (series.Counts.Length != h.Counts.Length) continue; // bucket layouts differ: not mergeable
            for (var i = 0; i < h.Counts.Length; i++) series.Counts[i] += h.Counts[i];
            series.Sum += h.Sum;
        }
    }

    /// <summary>Everything recorded, as a batch (copies).</summary>
    public MetricsBatch ToBatch() => new(CounterSamples(), HistogramSamples());

    /// <summary>Everything recorded, as a sorted snapshot (copies).</summary>
    public MetricsSnapshot Snapshot() => new(CounterSamples(), HistogramSamples());

    private HistogramSeries Histogram(string name, SortedDictionary<string, string> labels, IReadOnlyList<double> buckets)
    {
        var key = (name, LabelKey(labels));
        if (!_histograms.TryGetValue(key, out var series))
            _histograms[key] = series = new HistogramSeries(name, labels, BucketLayouts.Shared(buckets));
        return series;
    }

    private List<CounterSample> CounterSamples() => _counters
        .OrderBy(kv => kv.Key.Name, StringComparer.Ordinal).ThenBy(kv => kv.Key.Labels, StringComparer.Ordinal)
        .Select(kv => new CounterSample(kv.Value.Name, new SortedDictionary<string, string>(kv.Value.Labels, StringComparer.Ordinal), kv.Value.Value))
        .ToList();

    private List<HistogramSample> HistogramSamples() => _histograms
        .OrderBy(kv => kv.Key.Name, StringComparer.Ordinal).ThenBy(kv => kv.Key.Labels, StringComparer.Ordinal)
        .Select(kv => new HistogramSample(kv.Value.Name, new SortedDictionary<string, string>(kv.Value.Labels, StringComparer.Ordinal),
            kv.Value.Buckets.ToArray(), kv.Value.Counts.ToArray(), kv.Value.Sum))
        .ToList();

    // Silos send the same label instances every flush: compute each one's key once.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SortedDictionary<string, string>, string> Keys = new();

    internal static string LabelKey(SortedDictionary<string, string> labels) =>
        Keys.GetValue(labels, static l => string.Join('\u001f', l.Select(kv => kv.Key + "=" + kv.Value)));

    private sealed class CounterSeries(string name, SortedDictionary<string, string> labels)
    {
        public string Name { get; } = name;
        public SortedDictionary<string, string> Labels { get; } = labels;
        public long Value { get; set; }
    }

    private sealed class HistogramSeries(string name, SortedDictionary<string, string> labels, double[] buckets)
    {
        public string Name { get; } = name;
        public SortedDictionary<string, string> Labels { get; } = labels;
        public double[] Buckets { get; } = buckets;
        public long[] Counts { get; } = new long[buckets.Length + 1];
        public double Sum { get; set; }
    }
}
