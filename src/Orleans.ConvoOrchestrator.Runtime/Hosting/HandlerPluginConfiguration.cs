using Microsoft.Extensions.Configuration;

namespace Orleans.ConvoOrchestrator.Runtime.Hosting;

/// <summary>
/// Where a silo host finds its handler plugins: the configuration array <c>Convo:Plugins</c> (appsettings.json,
/// or <c>Convo__Plugins__0=...</c> in the environment) followed by every <c>--plugin &lt;path&gt;</c> on the command line.
/// </summary>
public static class HandlerPluginConfiguration
{
    /// <summary>The configuration key: an array of assembly paths (a single string is one path).</summary>
    public const string ConfigurationKey = "Convo:Plugins";

    /// <summary>The command-line flag, repeatable: <c>--plugin a.dll --plugin b.dll</c> or <c>--plugin=a.dll</c>.</summary>
    public const string Flag = "--plugin";

    /// <summary>The configured plugin paths, then the command line's, in order, without blanks.</summary>
    /// <param name="configuration">The host's configuration.</param>
    /// <param name="args">The command line; null when flags are not read.</param>
    /// <exception cref="ArgumentException"><c>--plugin</c> ends the command line without a path.</exception>
    public static IReadOnlyList<string> ReadPaths(IConfiguration configuration, IReadOnlyList<string>? args = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var paths = new List<string>();
        var section = configuration.GetSection(ConfigurationKey);
        if (!string.IsNullOrWhiteSpace(section.Value)) paths.Add(section.Value);
        // GetChildren orders numeric keys numerically, so the array keeps its order.
        paths.AddRange(section.GetChildren().Select(c => c.Value).OfType<string>().Where(v => !string.IsNullOrWhiteSpace(v)));
        if (args is null) return paths;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].StartsWith(Flag + "=", StringComparison.Ordinal))
                paths.Add(args[i][(Flag.Length + 1)..]);
            else if (args[i] == Flag)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new ArgumentException($"{Flag} needs an assembly path", nameof(args));
                paths.Add(args[++i]);
            }
        }
        return paths.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
    }
}
