namespace Orleans.ConvoOrchestrator;

/// <summary>
/// One item of a bulk set-up (<see cref="IEventOrchestrator.SaveEventsAsync"/>): an event to create or replace and
/// the triggers to attach to it, as if saved with <see cref="IEventOrchestrator.SaveEventAsync"/> and then attached
/// one by one with <see cref="IEventOrchestrator.AttachTriggerAsync"/>.
/// </summary>
/// <param name="Event">The event's definition.</param>
/// <param name="Triggers">The triggers to attach (none when null); triggers it already has stay attached.</param>
[GenerateSerializer, Immutable, Alias("convo.EventSetup")]
public sealed record EventSetup(Event Event, IReadOnlyList<Trigger>? Triggers = null)
{
    /// <summary>The triggers, never null.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<Trigger> TriggerList => Triggers ?? [];
}
