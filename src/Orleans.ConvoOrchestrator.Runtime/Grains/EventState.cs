namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>What an event grain persists.</summary>
[GenerateSerializer, Alias("convo.EventState")]
public sealed class EventState
{
    /// <summary>The definition; null when the event does not exist.</summary>
    [Id(0)] public Event? Definition { get; set; }

    /// <summary>Attached triggers by trigger id.</summary>
    [Id(1)] public Dictionary<string, Trigger> Subscriptions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The most recent outcome.</summary>
    [Id(2)] public JobOutcome? LastOutcome { get; set; }

    /// <summary>Recent outcomes, oldest first, bounded by the history size.</summary>
    [Id(3)] public List<JobRecord> History { get; set; } = new();
}
