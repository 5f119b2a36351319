using System.Text.Json;

namespace Orleans.ConvoOrchestrator.Postgres;

/// <summary>What a NOTIFY payload becomes for the trigger: its JSON value when it is JSON, else the text itself.</summary>
public static class NotifyPayload
{
    /// <summary>Null for an empty payload; a <see cref="JsonElement"/> for JSON (<c>{"a":1}</c>, <c>42</c>, <c>"text"</c>); otherwise the raw string.</summary>
    public static object? Parse(string? payload)
    {
        if (string.IsNullOrEmpty(payload)) return null;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return payload;
        }
    }
}
