namespace Orleans.ConvoOrchestrator.Runtime.Handlers.Plugins;

/// <summary>A handler plugin could not be loaded: a missing file, a file that is not a .NET assembly, a type that does not load, or a handler name already taken. Nothing was registered.</summary>
public sealed class HandlerPluginException : Exception
{
    /// <summary>Creates the error for <paramref name="assemblyPath"/>.</summary>
    public HandlerPluginException(string assemblyPath, string message, Exception? inner = null)
        : base($"handler plugin '{assemblyPath}': {message}", inner) => AssemblyPath = assemblyPath;

    /// <summary>The plugin assembly, as configured (made absolute).</summary>
    public string AssemblyPath { get; }
}
