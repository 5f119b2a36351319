using System.Text.Json;
using Orleans.ConvoOrchestrator;

namespace PluginHandlers;

/// <summary>
/// Handler "word-count" (no attribute: the class name without "Handler", in kebab case): counts the words of a
/// string payload, or of {"text": "..."}, honouring cancellation.
/// </summary>
public sealed class WordCountHandler : IEventHandler
{
    public async Task<object?> HandleAsync(EventContext context)
    {
        var p = context.Payload;
        var text = p.ValueKind switch
        {
            JsonValueKind.String => p.GetString(),
            JsonValueKind.Object when p.TryGetProperty("text", out var t) => t.GetString(),
            _ => null,
        } ?? throw new ArgumentException("payload must be a string or {\"text\": \"...\"}");
        await Task.Yield(); // stands in for real asynchronous work
        context.CancellationToken.ThrowIfCancellationRequested();
        return text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
