using System.Text.Json;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// tests/manifest-check/check.mjs: parses YAML files (every document) and checks each Kubernetes object against the
/// JSON schema of its kind in Kubernetes v1.36 (npm kubernetes-models). tests/setup/manifest-check.sh installs it;
/// <see cref="RunAsync"/> runs that first (a no-op once done), so a filtered test run needs no other step.
/// </summary>
public static class ManifestCheck
{
    /// <summary>One YAML document: its content as JSON, whether it is a Kubernetes object, and what is wrong with it.</summary>
    public sealed record Document(string File, int Index, JsonElement Body, bool Kubernetes, IReadOnlyList<string> Errors)
    {
        /// <summary>Its kind (Kubernetes objects).</summary>
        public string Kind => Body.GetProperty("kind").GetString()!;

        /// <summary>metadata.name (Kubernetes objects).</summary>
        public string Name => Body.GetProperty("metadata").GetProperty("name").GetString()!;

        /// <inheritdoc />
        public override string ToString() => $"{System.IO.Path.GetFileName(File)}#{Index} {(Kubernetes ? $"{Kind}/{Name}" : "")}";
    }

    /// <summary>The report on <paramref name="files"/>.</summary>
    public static async Task<IReadOnlyList<Document>> RunAsync(IEnumerable<string> files)
    {
        await Command.RunCheckedAsync("bash", [Path.Combine(RepoPaths.Root, "tests", "setup", "manifest-check.sh")], TimeSpan.FromMinutes(10));
        var result = await Command.RunCheckedAsync("node", [Path.Combine(RepoPaths.Root, "tests", "manifest-check", "check.mjs"), .. files], TimeSpan.FromMinutes(2));
        using var report = JsonDocument.Parse(result.Stdout);
        return report.RootElement.EnumerateArray().Select(d => new Document(
            d.GetProperty("file").GetString()!,
            d.GetProperty("index").GetInt32(),
            d.GetProperty("document").Clone(),
            d.GetProperty("kubernetes").GetBoolean(),
            d.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList())).ToList();
    }
}
