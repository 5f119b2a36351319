namespace Orleans.ConvoOrchestrator;

/// <summary>All metrics at one moment: <c>{counters:[{name,labels,value}], histograms:[{name,labels,buckets,counts}]}</c>.</summary>
/// <param name="Counters">Every counter, sorted by name then labels.</param>
/// <param name="Histograms">Every histogram, sorted by name then labels.</param>
[GenerateSerializer, Immutable, Alias("convo.MetricsSnapshot")]
public sealed record MetricsSnapshot(List<CounterSample> Counters, List<HistogramSample> Histograms)
{
    /// <summary>A snapshot with nothing in it.</summary>
    public static MetricsSnapshot Empty => new([], []);

    /// <summary>The value of counter <paramref name="name"/> for <paramref name="eventId"/>, or of all its series summed when null.</summary>
    public long Counter(string name, EventId? eventId = null) => Counters
        .Where(c => c.Name == name && (eventId is null || (c.Labels.TryGetValue(MetricNames.EventIdLabel, out var v) && v == eventId.Value.Value)))
        .Sum(c => c.Value);

    /// <summary>The histogram <paramref name="name"/> of <paramref name="eventId"/>, or null.</summary>
    public HistogramSample? Histogram(string name, EventId eventId) => Histograms
        .FirstOrDefault(h => h.Name == name && h.Labels.TryGetValue(MetricNames.EventIdLabel, out var v) && v == eventId.Value);

    /// <inheritdoc />
    public override string ToString() =>
        "{counters: [" + string.Join(", ", Counters.Select(c => $"{{name: {c.Name}, labels: {FormatLabels(c.Labels)}, value: {c.Value}}}")) +
        "], histograms: [" + string.Join(", ", Histograms.Select(h => $"{{name: {h.Name}, labels: {FormatLabels(h.Labels)}, buckets: [{string.Join(", ", h.Buckets)}], counts: [{string.Join(", ", h.Counts)}]}}")) +
        "]}";

    private static string FormatLabels(SortedDictionary<string, string> labels) =>
        "{" + string.Join(", ", labels.Select(kv => $"{kv.Key}: {kv.Value}")) + "}";
}
