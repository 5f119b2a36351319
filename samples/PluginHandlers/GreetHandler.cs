using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator;

namespace PluginHandlers;

/// <summary>
/// Handler "greet": answers "hello, {name}" for a payload like {"name": "Ada"} ("hello, world" otherwise).
/// Its constructor takes a logger to show that plugin handlers get the silo's services.
/// </summary>
[HandlerName("greet")]
public sealed class GreetHandler(ILogger<GreetHandler> logger) : IEventHandler
{
    public Task<object?> HandleAsync(EventContext context)
    {
        var name = context.Payload.ValueKind == System.Text.Json.JsonValueKind.Object && context.Payload.TryGetProperty("name", out var n)
            ? n.ToString()
            : "world";
        logger.LogInformation("Greeting {Name} for event {EventId} job {JobId}", name, context.EventId, context.JobId);
        return Task.FromResult<object?>($"hello, {name}");
    }
}
