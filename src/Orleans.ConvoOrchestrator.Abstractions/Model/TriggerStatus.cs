namespace Orleans.ConvoOrchestrator;

/// <summary>A trigger's live state.</summary>
/// <param name="Trigger">Its definition (with the anchor it was given at attach).</param>
/// <param name="Subscribers">The events it feeds.</param>
/// <param name="NextFire">When it fires next, calendars applied; null when it never will (fired AT, inactive, EXTERNAL, CONDITION, or its calendars exclude every instant ahead).</param>
/// <param name="LastFiredAt">When it last fired.</param>
/// <param name="LastScheduledFor">The scheduled time its last fire stood for.</param>
/// <param name="FireCount">Fires so far.</param>
/// <param name="MissCount">Fires that were missed (not made on time).</param>
/// <param name="Paused">Paused by an operator (<see cref="IEventOrchestrator.SetTriggerPausedAsync"/>): it fires nothing until resumed.</param>
[GenerateSerializer, Immutable, Alias("convo.TriggerStatus")]
public sealed record TriggerStatus(
    Trigger Trigger,
    List<EventId> Subscribers,
    DateTimeOffset? NextFire,
    DateTimeOffset? LastFiredAt,
    DateTimeOffset? LastScheduledFor,
    long FireCount,
    long MissCount,
    bool Paused = false);
