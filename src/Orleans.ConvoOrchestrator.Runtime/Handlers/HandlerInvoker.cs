namespace Orleans.ConvoOrchestrator.Runtime.Handlers;

/// <summary>Runs one attempt of a registered handler; the result becomes the preview.</summary>
internal delegate Task<object?> HandlerInvoker(IServiceProvider services, EventContext context);
