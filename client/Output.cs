using System.Text.Json;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// Where results and errors go. Results to stdout (a table, or JSON with <c>--json</c>); errors to stderr, so
/// <c>convo --json ... | jq</c> never sees an error message as data.
/// </summary>
internal sealed class Output(bool json, TextWriter stdout, TextWriter stderr)
{
    /// <summary>True when the user asked for JSON.</summary>
    public bool Json { get; } = json;

    /// <summary>Writes <paramref name="value"/> as indented JSON, in the form <see cref="ConvoJson"/> defines.</summary>
    public void WriteJson<T>(T value) => stdout.WriteLine(JsonSerializer.Serialize(value, ConvoJson.Indented));

    /// <summary>Writes a line of human output.</summary>
    public void WriteLine(string text = "") => stdout.WriteLine(text);

    /// <summary>Writes a table.</summary>
    public void Write(Table table) => table.WriteTo(stdout);

    /// <summary>Reports an orchestrator error result; returns its exit code.</summary>
    public int Fail(AppError error)
    {
        stderr.WriteLine($"error: {error.Kind}: {error.Message.ReplaceLineEndings(" ")}");
        // The cluster client reports a silo lost mid-command (or not answering) as QUEUE_UNAVAILABLE: that is
        // "nobody to ask", whatever the command, and scripts retry it differently from a refusal.
        return error.Kind == ErrorKind.QUEUE_UNAVAILABLE ? ExitCodes.NoSilo : ExitCodes.OrchestratorError;
    }

    /// <summary>Writes <paramref name="value"/> as compact JSON on one line (one record per line, for streams).</summary>
    public void WriteJsonLine<T>(T value) => stdout.WriteLine(JsonSerializer.Serialize(value, ConvoJson.Options));

    /// <summary>Writes text as is (no newline added).</summary>
    public void Write(string text) => stdout.Write(text);

    /// <summary>Pushes buffered output to the terminal or pipe now (live views).</summary>
    public void Flush() => stdout.Flush();

    /// <summary>Writes one "error: ..." line to stderr.</summary>
    public void Error(string message) => stderr.WriteLine($"error: {message}");

    /// <summary>Writes an extra diagnostic line to stderr.</summary>
    public void Note(string message) => stderr.WriteLine(message);
}
