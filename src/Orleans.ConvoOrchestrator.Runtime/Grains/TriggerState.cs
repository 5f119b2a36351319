namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>What a trigger grain persists.</summary>
[GenerateSerializer, Alias("convo.TriggerState")]
public sealed class TriggerState
{
    /// <summary>The definition; null when the trigger does not exist.</summary>
    [Id(0)] public Trigger? Definition { get; set; }

    /// <summary>Subscribed event ids, in attach order.</summary>
    [Id(1)] public List<string> Subscribers { get; set; } = new();
}
