namespace Orleans.ConvoOrchestrator;

/// <summary>A counter's value.</summary>
/// <param name="Name">The metric name.</param>
/// <param name="Labels">Its labels, sorted by key.</param>
/// <param name="Value">Its total.</param>
[GenerateSerializer, Immutable, Alias("convo.CounterSample")]
public sealed record CounterSample(string Name, SortedDictionary<string, string> Labels, long Value);
