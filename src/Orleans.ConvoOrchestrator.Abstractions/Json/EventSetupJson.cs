using System.Text.Json;

namespace Orleans.ConvoOrchestrator;

/// <summary>
/// Reads a bulk set-up from text, as the HTTP API and the CLI take it: a JSON array of
/// <c>{"event": {...}, "triggers": [...]}</c> items, or the same items one per line (NDJSON, blank lines skipped).
/// Malformed text is VALIDATION naming the line (and JSON path); the definitions themselves are checked by
/// <see cref="EventSetupValidator"/>.
/// </summary>
public static class EventSetupJson
{
    /// <summary>An example item, for messages and help.</summary>
    public const string Example =
        """{"event":{"id":"ev-hello","name":"hello","handlerName":"echo"},"triggers":[{"id":"tr-hourly","kind":"Cron","cron":"0 * * * *"}]}""";

    /// <summary>The items, or VALIDATION saying where the text is wrong.</summary>
    public static Result<List<EventSetup?>> Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Invalid($"no set-up items; send a JSON array or one item a line, e.g. {Example}");
        return text.TrimStart().StartsWith('[') ? ParseArray(text) : ParseLines(text);
    }

    private static Result<List<EventSetup?>> ParseArray(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<List<EventSetup?>>(text, ConvoJson.Options) ?? [];
        }
        catch (JsonException ex)
        {
            return Invalid($"not a valid list of set-up items: {JsonInputError.Describe(text, ex, typeof(List<EventSetup>))}");
        }
    }

    private static Result<List<EventSetup?>> ParseLines(string text)
    {
        var items = new List<EventSetup?>();
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                items.Add(JsonSerializer.Deserialize<EventSetup>(line, ConvoJson.Options));
            }
            catch (JsonException ex)
            {
                return Invalid($"line {number} is not a valid set-up item: {JsonInputError.Describe(line, ex, typeof(EventSetup))}");
            }
        }
        return items;
    }

    private static Result<List<EventSetup?>> Invalid(string message) => Result<List<EventSetup?>>.Err(ErrorKind.VALIDATION, message);
}
