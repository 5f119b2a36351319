using System.Reflection;
using System.Text;

namespace Orleans.ConvoOrchestrator.Runtime.Handlers.Plugins;

/// <summary>
/// Loads handler classes from plugin assemblies, so a stock silo runs a team's handlers without a host of their own.
/// Every public, non-abstract <see cref="IEventHandler"/> class of a plugin is registered under its
/// <see cref="HandlerNameAttribute"/> name, or its class name without "Handler" in kebab case.
/// </summary>
public static class HandlerPluginLoader
{
    /// <summary>
    /// Loads every plugin in <paramref name="assemblyPaths"/> and registers its handlers into <paramref name="registry"/>.
    /// All or nothing: on any problem (missing file, not an assembly, a type that does not load, a plugin without
    /// handlers, a name taken twice or already registered) a <see cref="HandlerPluginException"/> says which
    /// and nothing is registered.
    /// </summary>
    /// <param name="registry">The registry to add to.</param>
    /// <param name="assemblyPaths">Plugin assembly paths; relative ones are taken from <paramref name="baseDirectory"/>.</param>
    /// <param name="baseDirectory">Where relative paths start; the current directory by default.</param>
    /// <returns>The handlers registered, in plugin order.</returns>
    public static IReadOnlyList<PluginHandler> RegisterPlugins(this HandlerRegistry registry, IEnumerable<string> assemblyPaths, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(assemblyPaths);
        var found = new List<PluginHandler>();
        var byName = new Dictionary<string, PluginHandler>(StringComparer.Ordinal);
        foreach (var path in assemblyPaths)
        {
            foreach (var handler in Discover(path, baseDirectory))
            {
                if (byName.TryGetValue(handler.Name, out var first))
                    throw new HandlerPluginException(handler.AssemblyPath,
                        $"handler name '{handler.Name}' of {handler.HandlerType.FullName} is already used by {first.HandlerType.FullName} (in '{first.AssemblyPath}'); name one of them with [HandlerName]");
                if (registry.Contains(handler.Name))
                    throw new HandlerPluginException(handler.AssemblyPath,
                        $"handler name '{handler.Name}' of {handler.HandlerType.FullName} is already registered on this silo; name it otherwise with [HandlerName]");
                byName.Add(handler.Name, handler);
                found.Add(handler);
            }
        }
        foreach (var handler in found) registry.Register(handler.Name, handler.HandlerType);
        return found;
    }

    /// <summary>
    /// Loads one plugin assembly (in its own load context, its dependencies from its folder) and lists its handlers
    /// without registering them.
    /// </summary>
    /// <exception cref="HandlerPluginException">The file is missing or no assembly, a type does not load, a name is invalid or taken twice, or there is no handler.</exception>
    public static IReadOnlyList<PluginHandler> Discover(string assemblyPath, string? baseDirectory = null)
    {
        if (string.IsNullOrWhiteSpace(assemblyPath)) throw new HandlerPluginException(assemblyPath ?? "", "the path is empty");
        var full = Path.GetFullPath(assemblyPath, baseDirectory ?? Environment.CurrentDirectory);
        if (!File.Exists(full)) throw new HandlerPluginException(full, "no such file");

        Assembly assembly;
        try
        {
            var identity = AssemblyName.GetAssemblyName(full);
            // A second copy of an assembly the silo has (the contracts, Orleans) would break type identity and
            // Orleans' type manifest; a plugin is the team's own handler assembly.
            if (HandlerPluginLoadContext.HostHas(identity))
                throw new HandlerPluginException(full, $"'{identity.Name}' is an assembly the silo already has, not a handler plugin");
            assembly = new HandlerPluginLoadContext(full).LoadFromAssemblyPath(full);
        }
        catch (BadImageFormatException ex)
        {
            throw new HandlerPluginException(full, "not a .NET assembly", ex);
        }
        catch (Exception ex) when (ex is FileLoadException or IOException)
        {
            throw new HandlerPluginException(full, $"could not be loaded: {ex.Message}", ex);
        }

        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is ReflectionTypeLoadException or FileNotFoundException or FileLoadException or TypeLoadException)
        {
            var detail = ex is ReflectionTypeLoadException rtl
                ? string.Join("; ", rtl.LoaderExceptions.OfType<Exception>().Select(e => e.Message).Distinct())
                : ex.Message;
            throw new HandlerPluginException(full, $"its types could not be loaded (a dependency missing from its folder?): {detail}", ex);
        }

        var handlers = new List<PluginHandler>();
        foreach (var type in types.Where(IsHandlerClass).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var name = type.GetCustomAttribute<HandlerNameAttribute>()?.Name ?? DefaultName(type);
            if (!DefinitionValidator.IsValidName(name))
                throw new HandlerPluginException(full, $"{type.FullName}: handler name '{name}' is not 1-{DefinitionLimits.MaxIdLength} printable characters");
            if (type.GetConstructors().Length == 0)
                throw new HandlerPluginException(full, $"{type.FullName} has no public constructor");
            if (handlers.FirstOrDefault(h => h.Name == name) is { } twin)
                throw new HandlerPluginException(full, $"handler name '{name}' is used by both {twin.HandlerType.FullName} and {type.FullName}; name one of them with [HandlerName]");
            handlers.Add(new PluginHandler(name, type, full));
        }
        if (handlers.Count == 0)
        {
            // A plugin built against another copy of the contracts would show its handlers here under a foreign IEventHandler.
            var foreign = types.FirstOrDefault(t => t.GetInterfaces().Any(i => i.FullName == typeof(IEventHandler).FullName && i != typeof(IEventHandler)));
            throw new HandlerPluginException(full, foreign is null
                ? $"it has no public non-abstract class implementing {typeof(IEventHandler).FullName}"
                : $"{foreign.FullName} implements an {nameof(IEventHandler)} that is not the host's (an incompatible Orleans.ConvoOrchestrator.Abstractions?)");
        }
        return handlers;
    }

    /// <summary>The name of a handler class without <see cref="HandlerNameAttribute"/>: its name without a trailing "Handler", in kebab case.</summary>
    public static string DefaultName(Type handlerType)
    {
        ArgumentNullException.ThrowIfNull(handlerType);
        var name = handlerType.Name;
        if (name.EndsWith("Handler", StringComparison.Ordinal) && name.Length > "Handler".Length) name = name[..^"Handler".Length];
        var kebab = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            // A word starts at an upper-case letter after a lower-case one or a digit, or at the last capital of an acronym ("HTTPPing" -> http-ping).
            var startsWord = i > 0 && char.IsUpper(c) && (!char.IsUpper(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])));
            if (startsWord && name[i - 1] != '_') kebab.Append('-');
            kebab.Append(char.ToLowerInvariant(c));
        }
        return kebab.ToString();
    }

    private static bool IsHandlerClass(Type type) =>
        type is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false } && typeof(IEventHandler).IsAssignableFrom(type);
}
