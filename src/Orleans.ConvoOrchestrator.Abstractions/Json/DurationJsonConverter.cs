using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orleans.ConvoOrchestrator;

/// <summary>
/// Durations as <c>"[-][d.]hh:mm:ss[.fffffff]"</c> strings, with the colons required: the serializer's own reading
/// takes a bare <c>"10"</c> as ten days, where whoever wrote it almost surely meant ten seconds.
/// </summary>
public sealed class DurationJsonConverter : JsonConverter<TimeSpan>
{
    /// <inheritdoc />
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("a duration must be a string");
        var text = reader.GetString()!;
        if (!text.Contains(':', StringComparison.Ordinal) || !TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var value))
            throw new JsonException($"'{text}' is not a duration \"hh:mm:ss\"");
        return value;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("c", CultureInfo.InvariantCulture));
}
