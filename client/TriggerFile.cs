namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>Reads a <see cref="Trigger"/> from a JSON file (see <see cref="DefinitionFile"/>).</summary>
internal static class TriggerFile
{
    public static Trigger Load(string path) => DefinitionFile.Load<Trigger>(path, "trigger", Example, DefinitionValidator.Validate);

    public const string Example = """{"id":"every-10s","kind":"INTERVAL","interval":"00:00:10"}""";
}
