namespace Orleans.ConvoOrchestrator.Runtime.Handlers.Plugins;

/// <summary>One handler class found in a plugin assembly.</summary>
/// <param name="Name">The name events use (<see cref="HandlerNameAttribute"/>, or derived from the class name).</param>
/// <param name="HandlerType">The <see cref="IEventHandler"/> class.</param>
/// <param name="AssemblyPath">The plugin assembly it came from.</param>
public sealed record PluginHandler(string Name, Type HandlerType, string AssemblyPath);
