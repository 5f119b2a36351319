using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orleans.ConvoOrchestrator;

/// <summary>
/// The JSON form of definitions, statuses and snapshots (files, CLI, HTTP): camelCase names, enums by name,
/// ids as plain strings, durations as "hh:mm:ss" strings (colons required); unknown properties are an error.
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
            // A typo in a definition file ("activ": false) must fail, not be ignored.
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            // People read this JSON (CLI, HTTP): payload text stays "{"msg":...}", not "\u0022msg\u0022".
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.Converters.Add(new DurationJsonConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
