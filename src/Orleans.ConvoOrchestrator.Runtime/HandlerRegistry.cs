using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// Handlers by name: sync and async delegates (with or without a <see cref="CancellationToken"/>) and
/// <see cref="IEventHandler"/> classes resolved from DI per run. Registering a name twice is an error.
/// The runtime invokes handlers on its own handler threads (<see cref="HandlerThreads"/>), never on an Orleans
/// scheduler turn nor a thread-pool thread, so a blocking sync handler cannot stall a grain or a timer.
/// </summary>
public sealed class HandlerRegistry
{
    private readonly ConcurrentDictionary<string, HandlerInvoker> _handlers = new(StringComparer.Ordinal);

    /// <summary>A sync handler whose return value becomes the result preview.</summary>
    public HandlerRegistry Register(string name, Func<EventContext, object?> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(name, (_, ctx) => Task.FromResult(handler(ctx)));
    }

    /// <summary>A sync handler without a result.</summary>
    public HandlerRegistry Register(string name, Action<EventContext> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(name, (_, ctx) =>
        {
            handler(ctx);
            return Task.FromResult<object?>(null);
        });
    }

    /// <summary>An async handler without a result.</summary>
    public HandlerRegistry Register(string name, Func<EventContext, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(name, async (_, ctx) =>
        {
            await handler(ctx).ConfigureAwait(false);
            return null;
        });
    }

    /// <summary>An async handler with a result.</summary>
    public HandlerRegistry Register<TResult>(string name, Func<EventContext, Task<TResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(name, async (_, ctx) => await handler(ctx).ConfigureAwait(false));
    }

    /// <summary>An async handler taking the attempt's token separately.</summary>
    public HandlerRegistry Register(string name, Func<EventContext, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(name, async (_, ctx) =>
        {
            await handler(ctx, ctx.CancellationToken).ConfigureAwait(false);
            return null;
        });
    }

    /// <summary>An async handler with a result, taking the attempt's token separately.</summary>
    public HandlerRegistry Register<TResult>(string name, Func<EventContext, CancellationToken, Task<TResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(name, async (_, ctx) => await handler(ctx, ctx.CancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// A handler class resolved from the silo's services for every run (in its own scope), so it may take
    /// scoped dependencies. It need not be registered in DI itself.
    /// </summary>
    public HandlerRegistry Register<THandler>(string name) where THandler : class, IEventHandler =>
        Add(name, async (services, ctx) =>
        {
            await using var scope = services.CreateAsyncScope();
            var handler = ActivatorUtilities.GetServiceOrCreateInstance<THandler>(scope.ServiceProvider);
            return await handler.HandleAsync(ctx).ConfigureAwait(false);
        });

    /// <summary>
    /// A handler class given as a <see cref="Type"/> (plugins, configuration), resolved like
    /// <see cref="Register{THandler}(string)"/>: from the silo's services for every run, in its own scope.
    /// </summary>
    public HandlerRegistry Register(string name, Type handlerType)
    {
        ArgumentNullException.ThrowIfNull(handlerType);
        if (!handlerType.IsClass || handlerType.IsAbstract || !typeof(IEventHandler).IsAssignableFrom(handlerType))
            throw new ArgumentException($"{handlerType.FullName} is not a concrete class implementing {nameof(IEventHandler)}", nameof(handlerType));
        // Created once per registry: ActivatorUtilities then skips constructor discovery on every run.
        var factory = ActivatorUtilities.CreateFactory(handlerType, Type.EmptyTypes);
        return Add(name, async (services, ctx) =>
        {
            await using var scope = services.CreateAsyncScope();
            var handler = (IEventHandler)(scope.ServiceProvider.GetService(handlerType) ?? factory(scope.ServiceProvider, null));
            return await handler.HandleAsync(ctx).ConfigureAwait(false);
        });
    }

    /// <summary>True when <paramref name="name"/> is registered.</summary>
    public bool Contains(string name) => _handlers.ContainsKey(name);

    /// <summary>Every registered name, sorted.</summary>
    public IReadOnlyList<string> Names => _handlers.Keys.Order(StringComparer.Ordinal).ToList();

    internal bool TryGet(string name, out HandlerInvoker invoker) => _handlers.TryGetValue(name, out invoker!);

    private HandlerRegistry Add(string name, HandlerInvoker invoker)
    {
        if (!DefinitionValidator.IsValidName(name))
            throw new ArgumentException($"handler name must be 1-{DefinitionLimits.MaxIdLength} printable characters", nameof(name));
        if (!_handlers.TryAdd(name, invoker))
            throw new InvalidOperationException($"a handler named '{name}' is already registered");
        return this;
    }
}

