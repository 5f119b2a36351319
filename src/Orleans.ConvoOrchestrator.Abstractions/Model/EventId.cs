namespace Orleans.ConvoOrchestrator;

/// <summary>Identifies an event. Validated by <see cref="DefinitionValidator"/>: 1-200 characters from <c>[A-Za-z0-9._:@-]</c>, not only dots.</summary>
/// <param name="Value">The identifier text.</param>
[GenerateSerializer, Immutable, Alias("convo.EventId")]
[System.Text.Json.Serialization.JsonConverter(typeof(EventIdJsonConverter))]
public readonly record struct EventId(string Value)
{
    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;
}
