using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orleans.ConvoOrchestrator;

/// <summary>
/// The JSON form of definitions, statuses and snapshots (files, CLI, HTTP): camelCase names, enums by name,
/// ids as plain strings, durations as "hh:mm:ss" strings.
/// </summary>
public static class ConvoJson
{
    /// <summary>The options.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>The same, indented for people.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = indented,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
