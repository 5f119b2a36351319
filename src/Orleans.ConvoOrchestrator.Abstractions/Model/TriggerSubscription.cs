namespace Orleans.ConvoOrchestrator;

/// <summary>A trigger attached to an event.</summary>
/// <param name="Id">The subscription's id (what detach takes).</param>
/// <param name="EventId">The event.</param>
/// <param name="Trigger">The trigger's definition.</param>
[GenerateSerializer, Immutable, Alias("convo.TriggerSubscription")]
public sealed record TriggerSubscription(SubscriptionId Id, EventId EventId, Trigger Trigger);
