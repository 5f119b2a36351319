namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>A trigger and the events it feeds.</summary>
/// <param name="Trigger">The definition.</param>
/// <param name="Subscribers">The subscribed events.</param>
[GenerateSerializer, Immutable, Alias("convo.TriggerInfo")]
public sealed record TriggerInfo(Trigger Trigger, List<EventId> Subscribers);
