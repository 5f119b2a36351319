namespace Orleans.ConvoOrchestrator;

/// <summary>
/// Identifies one attachment of a trigger to an event. Its text is <c>"{eventId}/{triggerId}"</c>:
/// ids cannot contain '/', so a subscription id alone finds both sides of the attachment.
/// </summary>
/// <param name="Value">The identifier text.</param>
[GenerateSerializer, Immutable, Alias("convo.SubscriptionId")]
[System.Text.Json.Serialization.JsonConverter(typeof(SubscriptionIdJsonConverter))]
public readonly record struct SubscriptionId(string Value)
{
    private const char Separator = '/';

    /// <summary>The subscription id of <paramref name="triggerId"/> attached to <paramref name="eventId"/>.</summary>
    public static SubscriptionId For(EventId eventId, TriggerId triggerId) => new($"{eventId.Value}{Separator}{triggerId.Value}");

    /// <summary>Splits the id into its event and trigger; false when the text is not a subscription id.</summary>
    public bool TryParse(out EventId eventId, out TriggerId triggerId)
    {
        eventId = default;
        triggerId = default;
        var text = Value;
        if (string.IsNullOrEmpty(text)) return false;
        var cut = text.IndexOf(Separator);
        if (cut <= 0 || cut == text.Length - 1 || text.IndexOf(Separator, cut + 1) >= 0) return false;
        eventId = new EventId(text[..cut]);
        triggerId = new TriggerId(text[(cut + 1)..]);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;
}
