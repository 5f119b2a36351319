using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>What one child run reports: named figures, or an error. Printed as one JSON line after <see cref="Prefix"/>.</summary>
internal sealed record RunResult(string System, string Scenario, Dictionary<string, double> Metrics, string? Note = null, string? Error = null)
{
    /// <summary>Marks the result line on the child's stdout.</summary>
    public const string Prefix = "RESULT ";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToLine() => Prefix + JsonSerializer.Serialize(this, Json);

    public static RunResult? TryParse(string line) =>
        line.StartsWith(Prefix, StringComparison.Ordinal) ? JsonSerializer.Deserialize<RunResult>(line[Prefix.Length..], Json) : null;
}
