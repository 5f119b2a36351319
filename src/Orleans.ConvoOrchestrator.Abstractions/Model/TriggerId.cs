namespace Orleans.ConvoOrchestrator;

/// <summary>Identifies a trigger. Same rules as <see cref="EventId"/>.</summary>
/// <param name="Value">The identifier text.</param>
[GenerateSerializer, Immutable, Alias("convo.TriggerId")]
[System.Text.Json.Serialization.JsonConverter(typeof(TriggerIdJsonConverter))]
public readonly record struct TriggerId(string Value)
{
    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;
}
