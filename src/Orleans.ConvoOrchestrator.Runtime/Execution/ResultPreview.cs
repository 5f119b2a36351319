using System.Text.Json;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>A handler's result as short text for outcomes and history.</summary>
public static class ResultPreview
{
    /// <summary>Characters kept before the ellipsis.</summary>
    public const int MaxLength = 256;

    /// <summary>Null for null; strings as they are; anything else as JSON (or its ToString when not serializable); cut to 256 characters plus "...".</summary>
    public static string? From(object? result)
    {
        var text = result switch
        {
            null => null,
            string s => s,
            _ => TryJson(result),
        };
        if (text is null || text.Length <= MaxLength) return text;
        return string.Concat(text.AsSpan(0, MaxLength), "...");
    }

    private static string? TryJson(object result)
    {
        try
        {
            return JsonSerializer.Serialize(result, result.GetType(), JsonPayload.Options);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
        {
            return result.ToString();
        }
    }
}
