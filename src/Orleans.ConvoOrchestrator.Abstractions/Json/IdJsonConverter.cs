using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orleans.ConvoOrchestrator;

/// <summary>Writes an id value type as its plain string (<c>"ev-hello"</c>, not <c>{"value":"ev-hello"}</c>).</summary>
/// <typeparam name="TId">The id type.</typeparam>
public abstract class IdJsonConverter<TId> : JsonConverter<TId>
{
    /// <summary>Makes the id from its text.</summary>
    protected abstract TId Create(string value);

    /// <summary>The id's text.</summary>
    protected abstract string ValueOf(TId id);

    /// <inheritdoc />
    public override TId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? Create(reader.GetString()!)
            : throw new JsonException($"expected a string for {typeof(TId).Name}");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TId value, JsonSerializerOptions options) => writer.WriteStringValue(ValueOf(value));
}

/// <summary>JSON form of <see cref="EventId"/>.</summary>
public sealed class EventIdJsonConverter : IdJsonConverter<EventId>
{
    /// <inheritdoc />
    protected override EventId Create(string value) => new(value);
    /// <inheritdoc />
    protected override string ValueOf(EventId id) => id.Value;
}

/// <summary>JSON form of <see cref="TriggerId"/>.</summary>
public sealed class TriggerIdJsonConverter : IdJsonConverter<TriggerId>
{
    /// <inheritdoc />
    protected override TriggerId Create(string value) => new(value);
    /// <inheritdoc />
    protected override string ValueOf(TriggerId id) => id.Value;
}

/// <summary>JSON form of <see cref="SubscriptionId"/>.</summary>
public sealed class SubscriptionIdJsonConverter : IdJsonConverter<SubscriptionId>
{
    /// <inheritdoc />
    protected override SubscriptionId Create(string value) => new(value);
    /// <inheritdoc />
    protected override string ValueOf(SubscriptionId id) => id.Value;
}
