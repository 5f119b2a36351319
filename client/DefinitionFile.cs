using System.Text.Json;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// Reads a definition (event, trigger) from a JSON file in the <see cref="ConvoJson"/> form; <c>-</c> reads stdin.
/// Every way a file can be wrong becomes a <see cref="UsageException"/> naming the file (and the line or JSON path, for JSON
/// errors), checked before connecting, so a bad file is exit 2 whether or not a silo is running.
/// </summary>
internal static class DefinitionFile
{
    /// <summary>Reads and validates one <typeparamref name="T"/>; <paramref name="what"/> names it in messages ("event").</summary>
    public static T Load<T>(string path, string what, string example, Func<T, Result> validate) where T : class =>
        Parse(Read(path), path, what, example, validate);

    /// <summary>How messages name <paramref name="path"/>.</summary>
    public static string NameOf(string path) => path == "-" ? "stdin" : $"'{path}'";

    /// <summary>The file's text (stdin for <c>-</c>), or a <see cref="UsageException"/>.</summary>
    public static string Read(string path)
    {
        try
        {
            return path == "-" ? Console.In.ReadToEnd() : File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot read {NameOf(path)}: {ex.Message}");
        }
    }

    /// <summary>Parses and validates one <typeparamref name="T"/> read from <paramref name="path"/>.</summary>
    public static T Parse<T>(string text, string path, string what, string example, Func<T, Result> validate) where T : class
    {
        var name = NameOf(path);
        T? definition;
        try
        {
            definition = JsonSerializer.Deserialize<T>(text, ConvoJson.Options);
        }
        catch (JsonException ex)
        {
            // Malformed JSON is reported with its line, a wrong shape with the JSON path of the culprit.
            throw new UsageException($"{name} is not a valid {what} definition: {JsonInputError.Describe(text, ex, typeof(T))}");
        }
        if (definition is null) throw new UsageException($"{name} holds null; expected {(what.StartsWith('e') ? "an" : "a")} {what} object like {example}");

        // The same rules the cluster applies; checking here means a bad file never reaches the network.
        var valid = validate(definition);
        if (valid.IsErr) throw new UsageException($"{name} is not a valid {what} definition: {valid.Error.Message}");
        return definition;
    }
}
