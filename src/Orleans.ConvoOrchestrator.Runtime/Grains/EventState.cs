namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>What an event grain persists about its definition; written on every definition change.</summary>
[GenerateSerializer, Alias("convo.EventState")]
internal sealed class EventState
{
    /// <summary>The definition; null when the event does not exist.</summary>
    [Id(0)] public Event? Definition { get; set; }

    /// <summary>Attached triggers by trigger id (with the anchors their trigger grains gave them).</summary>
    [Id(1)] public Dictionary<string, Trigger> Subscriptions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Ids of attached triggers an operator paused: left out of the event's next run.</summary>
    [Id(2)] public HashSet<string> PausedTriggers { get; set; } = new(StringComparer.Ordinal);
}
