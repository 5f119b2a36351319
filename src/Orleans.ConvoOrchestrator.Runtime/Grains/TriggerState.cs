namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>What a trigger grain persists: its definition, subscribers and its own schedule progress.</summary>
[GenerateSerializer, Alias("convo.TriggerState")]
internal sealed class TriggerState
{
    /// <summary>The definition (anchored); null when the trigger does not exist.</summary>
    [Id(0)] public Trigger? Definition { get; set; }

    /// <summary>Subscribed event ids, in attach order.</summary>
    [Id(1)] public List<string> Subscribers { get; set; } = new();

    /// <summary>Every scheduled fire at or before this instant has been fired or counted as missed.</summary>
    [Id(2)] public DateTimeOffset? HandledUpTo { get; set; }

    /// <summary>Fires so far.</summary>
    [Id(3)] public long FireCount { get; set; }

    /// <summary>Missed fires so far.</summary>
    [Id(4)] public long MissCount { get; set; }

    /// <summary>When it last fired.</summary>
    [Id(5)] public DateTimeOffset? LastFiredAt { get; set; }

    /// <summary>The scheduled time its last fire stood for.</summary>
    [Id(6)] public DateTimeOffset? LastScheduledFor { get; set; }

    /// <summary>CONDITION: the predicate's last value, for edge detection.</summary>
    [Id(7)] public bool ConditionValue { get; set; }

    /// <summary>Paused by an operator: it fires nothing until resumed, and then its misfire policy and catch-up window decide.</summary>
    [Id(8)] public bool Paused { get; set; }

    /// <summary>
    /// The definitions of the calendars the trigger last planned with (those its definition names). Kept so that a
    /// change found later (after a restart, or a lost notice) still judges the fires before it by the old ones.
    /// </summary>
    [Id(9)] public List<Calendar>? Calendars { get; set; }
}
