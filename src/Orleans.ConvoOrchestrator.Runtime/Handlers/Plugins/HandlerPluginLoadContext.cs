using System.Reflection;
using System.Runtime.Loader;

namespace Orleans.ConvoOrchestrator.Runtime.Handlers.Plugins;

/// <summary>
/// Loads one plugin assembly and its private dependencies from the plugin's folder (its .deps.json, through
/// <see cref="AssemblyDependencyResolver"/>). Whatever the host itself has — Orleans.ConvoOrchestrator.Abstractions,
/// Orleans, Microsoft.Extensions.*, the framework — comes from the default context instead, so the plugin's
/// <see cref="IEventHandler"/> is the host's and DI hands it the host's services.
/// </summary>
internal sealed class HandlerPluginLoadContext(string assemblyPath)
    : AssemblyLoadContext($"convo-plugin:{Path.GetFileName(assemblyPath)}", isCollectible: false)
{
    private readonly AssemblyDependencyResolver _resolver = new(assemblyPath);

    protected override Assembly? Load(AssemblyName name)
    {
        if (HostHas(name)) return null; // null = the default context loads it
        var path = _resolver.ResolveAssemblyToPath(name);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    /// <summary>True when the host has an assembly of that name: it is shared, never loaded again.</summary>
    public static bool HostHas(AssemblyName name) =>
        name.Name is { } simple && (HostAssemblyNames.Value.Contains(simple) || Default.Assemblies.Any(a => a.GetName().Name == simple));

    // The host's trusted platform assemblies: the framework plus everything in the host's own deps.json.
    private static readonly Lazy<HashSet<string>> HostAssemblyNames = new(() =>
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase));
}
