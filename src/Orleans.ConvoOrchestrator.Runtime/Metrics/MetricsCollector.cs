using System.Collections.Concurrent;
using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Metrics;

/// <summary>
/// A silo's metrics batcher: the hot path records here without a grain call and without a shared lock (one
/// cell per series, updated with interlocked operations); <see cref="MetricsFlusher"/> drains the cells into a
/// batch for the metrics grain periodically and whenever a snapshot asks. Every recording also goes to the
/// <see cref="ConvoInstruments"/> (System.Diagnostics.Metrics), which costs a flag check while nobody listens.
/// </summary>
internal sealed class MetricsCollector
{
    private readonly ConcurrentDictionary<(string Name, string Key), CounterCell> _counters = new();
    private readonly ConcurrentDictionary<(string Name, string Key), HistogramCell> _histograms = new();
    private readonly ConcurrentDictionary<string, LabelSet> _eventLabels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), LabelSet> _pairLabels = new();
    private readonly ConvoInstruments? _instruments;

    /// <summary>A collector that feeds no meter (tests, tools).</summary>
    public MetricsCollector()
    {
    }

    /// <summary>Created by DI: recordings also go to <paramref name="instruments"/>.</summary>
    public MetricsCollector(ConvoInstruments instruments) => _instruments = instruments;

    /// <summary>Adds to a counter labelled with the event id.</summary>
    public void Increment(string name, EventId eventId, long delta = 1) => Add(name, EventLabels(eventId), delta, export: true);

    /// <summary>Adds to a counter with explicit labels.</summary>
    public void Increment(string name, SortedDictionary<string, string> labels, long delta = 1) => Add(name, LabelSet.Of(labels), delta, export: true);

    /// <summary>Counts a rejected emit with its reason.</summary>
    public void Rejected(EventId eventId, ErrorKind reason) =>
        Add(MetricNames.JobsRejected, Pair(MetricNames.EventIdLabel, eventId.Value, MetricNames.ReasonLabel, reason.ToString()), 1, export: true);

    /// <summary>Records how late a trigger's fire became a job.</summary>
    public void Lateness(TriggerId triggerId, EventId eventId, TimeSpan lateness) =>
        Observe(MetricNames.TriggerLateness, Pair(MetricNames.EventIdLabel, eventId.Value, MetricNames.TriggerIdLabel, triggerId.Value),
            MetricNames.LatenessBuckets, Math.Max(0, lateness.TotalSeconds), export: true);

    /// <summary>Counts a finished job by status and, when it ran, its duration.</summary>
    public void Finished(EventId eventId, JobOutcome outcome)
    {
        var labels = EventLabels(eventId);
        var name = outcome.Status switch
        {
            JobStatus.OK => MetricNames.JobsSucceeded,
            JobStatus.ERR => MetricNames.JobsFailed,
            JobStatus.CANCELLED => MetricNames.JobsCancelled,
            _ => MetricNames.JobsSkipped,
        };
        Add(name, labels, 1, export: true);
        if (outcome.Status is JobStatus.OK or JobStatus.ERR)
            Observe(MetricNames.JobDuration, labels, MetricNames.DurationBuckets, Math.Max(0, outcome.Duration.TotalSeconds), export: true);
    }

    /// <summary>Takes everything recorded since the last drain.</summary>
    public MetricsBatch Drain() => Drain([], []);

    /// <summary>
    /// Takes everything recorded since the last drain into the given lists, which must be empty: a caller that
    /// flushes every second reuses its lists (tens of thousands of samples each, on the large object heap) once the
    /// batch is merged, instead of growing new ones each time.
    /// </summary>
    public MetricsBatch Drain(List<CounterSample> counters, List<HistogramSample> histograms)
    {
        if (counters.Count > 0 || histograms.Count > 0) throw new ArgumentException("the lists to drain into must be empty");
        // Enumerated, not .Values: that copies every cell into a new list under all the dictionary's locks, each
        // flush (at 100,000 events, a large-object array a second and a stall of the recording threads).
        foreach (var (_, cell) in _counters)
        {
            var value = Interlocked.Exchange(ref cell.Value, 0);
            // The cell's labels are never mutated, so batches share them instead of copying tens of thousands a second.
            if (value != 0) counters.Add(new CounterSample(cell.Name, cell.Labels, value));
        }
        foreach (var (_, cell) in _histograms)
        {
            // Most series see nothing in most intervals: those cost no array.
            long[]? counts = null;
            for (var i = 0; i < cell.Counts.Length; i++)
            {
                if (Volatile.Read(ref cell.Counts[i]) == 0) continue;
                counts ??= new long[cell.Counts.Length];
                counts[i] = Interlocked.Exchange(ref cell.Counts[i], 0);
            }
            if (counts is null) continue;
            double sum;
            lock (cell) (sum, cell.Sum) = (cell.Sum, 0);
            histograms.Add(new HistogramSample(cell.Name, cell.Labels, cell.Buckets, counts, sum));
        }
        return new MetricsBatch(counters, histograms);
    }

    /// <summary>Puts back a batch whose flush failed, so nothing is lost.</summary>
    public void Restore(MetricsBatch batch)
    {
        // Already exported when first recorded: back into the cells only.
        foreach (var c in batch.Counters) Add(c.Name, LabelSet.Of(c.Labels), c.Value, export: false);
        foreach (var h in batch.Histograms)
        {
            var cell = HistogramFor(h.Name, LabelSet.Of(h.Labels), h.Buckets);
            if (cell.Counts.Length != h.Counts.Length) continue;
            for (var i = 0; i < h.Counts.Length; i++) Interlocked.Add(ref cell.Counts[i], h.Counts[i]);
            lock (cell) cell.Sum += h.Sum;
        }
    }

    private void Add(string name, LabelSet labels, long delta, bool export)
    {
        var cell = _counters.GetOrAdd((name, labels.Key), static (k, l) => new CounterCell(k.Name, l.Labels), labels);
        Interlocked.Add(ref cell.Value, delta);
        if (export && _instruments is { } instruments && instruments.IsEnabled(name)) instruments.Add(name, labels.Tags, delta);
    }

    private void Observe(string name, LabelSet labels, IReadOnlyList<double> buckets, double value, bool export)
    {
        var cell = HistogramFor(name, labels, buckets);
        Interlocked.Increment(ref cell.Counts[MetricsStore.BucketIndex(cell.Buckets, value)]);
        lock (cell) cell.Sum += value;
        if (export && _instruments is { } instruments && instruments.IsEnabled(name)) instruments.Record(name, labels.Tags, value);
    }

    private HistogramCell HistogramFor(string name, LabelSet labels, IReadOnlyList<double> buckets) =>
        _histograms.GetOrAdd((name, labels.Key), static (k, a) => new HistogramCell(k.Name, a.Labels.Labels, BucketLayouts.Shared(a.Buckets)), (Labels: labels, Buckets: buckets));

    private LabelSet EventLabels(EventId eventId) => _eventLabels.GetOrAdd(eventId.Value,
        static id => LabelSet.Of(new SortedDictionary<string, string>(StringComparer.Ordinal) { [MetricNames.EventIdLabel] = id }));

    private LabelSet Pair(string k1, string v1, string k2, string v2) => _pairLabels.GetOrAdd((v1, k2 + "=" + v2),
        static (_, a) => LabelSet.Of(new SortedDictionary<string, string>(StringComparer.Ordinal) { [a.k1] = a.v1, [a.k2] = a.v2 }), (k1, v1, k2, v2));

    // Labels with their series key computed once, not per increment; their meter tags only once someone listens.
    private sealed record LabelSet(SortedDictionary<string, string> Labels, string Key)
    {
        private KeyValuePair<string, object?>[]? _tags;

        public static LabelSet Of(SortedDictionary<string, string> labels) => new(labels, MetricsStore.LabelKey(labels));

        public KeyValuePair<string, object?>[] Tags => _tags ??= Labels.Select(l => new KeyValuePair<string, object?>(l.Key, l.Value)).ToArray();
    }

    private sealed class CounterCell(string name, SortedDictionary<string, string> labels)
    {
        public readonly string Name = name;
        public readonly SortedDictionary<string, string> Labels = labels;
        public long Value;
    }

    private sealed class HistogramCell(string name, SortedDictionary<string, string> labels, double[] buckets)
    {
        public readonly string Name = name;
        public readonly SortedDictionary<string, string> Labels = labels;
        public readonly double[] Buckets = buckets;
        public readonly long[] Counts = new long[buckets.Length + 1];
        public double Sum;
    }
}
