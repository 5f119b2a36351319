using System.Text.Json;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// Reads an <see cref="Event"/> from a JSON file in the <see cref="ConvoJson"/> form. Every way a file can be
/// wrong becomes a <see cref="UsageException"/> naming the file (and the line, for JSON errors), checked
/// before connecting, so a bad file is exit 2 whether or not a silo is running.
/// </summary>
internal static class EventFile
{
    public static Event Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot read '{path}': {ex.Message}");
        }

        Event? definition;
        try
        {
            definition = JsonSerializer.Deserialize<Event>(text, ConvoJson.Options);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, column {ex.BytePositionInLine + 1}{(ex.Path is { Length: > 1 } p ? $", at {p}" : "")})" : "";
            throw new UsageException($"'{path}' is not a valid event definition{where}: {WithoutPosition(ex.Message)}");
        }
        if (definition is null) throw new UsageException($"'{path}' holds null; expected an event object like {Example}");

        // The same rules the cluster applies; checking here means a bad file never reaches the network.
        var valid = DefinitionValidator.Validate(definition);
        if (valid.IsErr) throw new UsageException($"'{path}' is not a valid event definition: {valid.Error.Message}");
        return definition;
    }

    public const string Example =
        """{"id":"ev-hello","name":"hello","handlerName":"echo","policy":{"timeoutSec":2,"maxRetries":0,"backoff":"FIXED","maxConcurrency":1},"active":true}""";

    // System.Text.Json appends "Path: $.x | LineNumber: 0 | BytePositionInLine: 5." which we already report.
    private static string WithoutPosition(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
