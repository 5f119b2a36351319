namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>Reads an <see cref="Event"/> from a JSON file (see <see cref="DefinitionFile"/>).</summary>
internal static class EventFile
{
    public static Event Load(string path) => DefinitionFile.Load<Event>(path, "event", Example, DefinitionValidator.Validate);

    public const string Example =
        """{"id":"ev-hello","name":"hello","handlerName":"echo","policy":{"timeoutSec":2,"maxRetries":0,"backoff":"FIXED","maxConcurrency":1},"active":true}""";
}
