namespace Orleans.ConvoOrchestrator;

/// <summary>A counter's value. A value type: a silo's batch carries one per changed series every flush, tens of
/// thousands a second with many events, and as values they cost no object each.</summary>
/// <param name="Name">The metric name.</param>
/// <param name="Labels">Its labels, sorted by key.</param>
/// <param name="Value">Its total.</param>
[GenerateSerializer, Immutable, Alias("convo.CounterSample")]
public readonly record struct CounterSample(string Name, SortedDictionary<string, string> Labels, long Value);
