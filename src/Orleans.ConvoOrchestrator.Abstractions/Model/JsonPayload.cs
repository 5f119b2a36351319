using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Orleans.ConvoOrchestrator;

/// <summary>Turns caller payloads into the JSON text that travels with a job.</summary>
public static class JsonPayload
{
    /// <summary>Web defaults (camelCase, case-insensitive reads): what most JSON producers expect.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Serializes any object to JSON. <see cref="JsonElement"/>, <see cref="JsonDocument"/> and
    /// <c>JsonNode</c> keep their JSON; a string becomes a JSON string (use <see cref="FromJson"/> for JSON text).
    /// </summary>
    public static string From(object? payload) => payload switch
    {
        null => "null",
        JsonElement e => e.GetRawText(),
        JsonDocument d => d.RootElement.GetRawText(),
        _ => JsonSerializer.Serialize(payload, payload.GetType(), Options),
    };

    /// <summary><see cref="From"/>, with a payload that cannot be serialized reported as a VALIDATION error.</summary>
    public static Result<string> TryFrom(object? payload)
    {
        try
        {
            return From(payload);
        }
        catch (JsonException)
        {
            // On writing, the serializer throws this for a reference cycle or nesting past its depth limit; its own message
            // is a path as deep as the limit.
            return Result<string>.Err(ErrorKind.VALIDATION,
                $"payload cannot be serialized to JSON: it refers back to itself or nests deeper than {MaxDepth} levels");
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return Result<string>.Err(ErrorKind.VALIDATION, $"payload cannot be serialized to JSON: {ex.Message}");
        }
    }

    /// <summary>Checks that <paramref name="json"/> is one well-formed JSON value and returns it compacted.</summary>
    public static Result<string> FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return "null";
        // Checked with a reader over pooled UTF-8 bytes, not parsed into a document: this runs for every emit.
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var reader = new Utf8JsonReader(buffer.AsSpan(0, Encoding.UTF8.GetBytes(json, buffer)));
            reader.Read();
            reader.Skip();
            // One value only: anything after it but whitespace makes the reader throw.
            if (reader.Read()) return Result<string>.Err(ErrorKind.VALIDATION, "payload is not valid JSON: more than one value");
        }
        catch (JsonException ex)
        {
            return Result<string>.Err(ErrorKind.VALIDATION, $"payload is not valid JSON: {ex.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        // The value without the whitespace around it (the same string when there is none).
        var value = json.AsSpan().Trim(JsonWhitespace);
        return value.Length == json.Length ? json : value.ToString();
    }

    private const string JsonWhitespace = " \t\r\n";

    // JsonSerializerOptions.MaxDepth 0 means the serializer's default.
    private static int MaxDepth => Options.MaxDepth is > 0 and var depth ? depth : 64;

    /// <summary>Parses JSON text into a standalone element.</summary>
    public static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
