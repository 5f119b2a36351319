namespace Orleans.ConvoOrchestrator;

/// <summary>
/// A handler class, resolved from the silo's DI container for every job and registered by name
/// (<c>HandlerRegistry.Register&lt;T&gt;(name)</c>). The return value becomes the outcome's result preview.
/// </summary>
public interface IEventHandler
{
    /// <summary>Runs one attempt. Honour <see cref="EventContext.CancellationToken"/>.</summary>
    Task<object?> HandleAsync(EventContext context);
}
