using System.Text.Json;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// A bulk set-up file for <c>events save -f</c>: a JSON array of <c>{"event": {...}, "triggers": [...]}</c> items, or
/// one item a line (NDJSON). Told apart from a single event's file by its shape: an array, or a first item with an
/// <c>event</c> member. Checked whole before connecting, like a single definition.
/// </summary>
internal static class EventSetupFile
{
    /// <summary>True when <paramref name="text"/> holds set-up items rather than one event.</summary>
    public static bool IsBulk(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('[')) return true;
        var firstLine = trimmed.Split('\n', 2)[0];
        try
        {
            using var doc = JsonDocument.Parse(firstLine);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.EnumerateObject().Any(p => p.NameEquals("event"));
        }
        catch (JsonException)
        {
            return false; // a single event spread over several lines, or bad JSON: the single-event reader says which
        }
    }

    /// <summary>The items, or a <see cref="UsageException"/> naming the file and the item or line.</summary>
    public static List<EventSetup> Parse(string text, string path)
    {
        var name = DefinitionFile.NameOf(path);
        var parsed = EventSetupJson.Parse(text);
        if (parsed.IsErr) throw new UsageException($"{name}: {parsed.Error.Message}");
        var check = EventSetupValidator.Validate(parsed.Unwrap());
        if (check.IsErr) throw new UsageException($"{name}: {check.Error.Message}");
        return parsed.Unwrap().Select(s => s!).ToList();
    }
}
