using System.CommandLine;
using System.Text.Json;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// The <c>--payload</c> option of emit, test-run and triggers fire: JSON text, or <c>@file</c> to read it from a file.
/// Checked locally, so malformed JSON is a usage mistake (exit 2) rather than a cluster error (exit 1).
/// </summary>
internal static class PayloadOption
{
    public static Option<string> Create(string what) => new("--payload", "-p")
    {
        HelpName = "JSON|@FILE",
        Description = $$"""{{what}} as JSON text, e.g. '{"msg":"hi"}', or @file.json to read it from a file (default: null)""",
    };

    /// <summary>The payload as compact JSON text ("null" when the option is absent).</summary>
    public static string Read(ParseResult parse, Option<string> option)
    {
        var text = parse.GetValue(option);
        var source = "--payload";
        if (text is ['@', .. var path])
        {
            source = $"--payload file '{path}'";
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new UsageException($"cannot read {source}: {ex.Message}");
            }
        }
        var json = JsonPayload.FromJson(text);
        if (json.IsErr) throw new UsageException($"{source}: {json.Error.Message}");
        return json.Unwrap();
    }

    /// <summary>The payload as a value the <see cref="IEventOrchestrator"/> methods taking <c>object?</c> pass through unchanged.</summary>
    public static JsonElement ToElement(string json) => JsonPayload.Parse(json);
}
