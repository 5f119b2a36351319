namespace Orleans.ConvoOrchestrator.Bench;

/// <summary>The few command-line shapes convo-bench takes: a command word, then <c>--name value</c> options and <c>--flags</c>.</summary>
internal sealed class CommandLine(IReadOnlyList<string> args)
{
    public IReadOnlyList<string> Args => args;

    public string Option(string name, string fallback)
    {
        var at = args.ToList().IndexOf(name);
        if (at < 0) return fallback;
        if (at + 1 >= args.Count || args[at + 1].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException($"{name} needs a value");
        return args[at + 1];
    }

    public bool Has(string name) => args.Contains(name);

    /// <summary>Refuses options this command does not know, so a typo is not silently ignored.</summary>
    public void OnlyKnown(IReadOnlyCollection<string> options, IReadOnlyCollection<string> flags, int positional = 0)
    {
        for (var i = positional; i < args.Count; i++)
        {
            if (flags.Contains(args[i])) continue;
            if (options.Contains(args[i])) { i++; continue; }
            throw new ArgumentException($"unknown argument '{args[i]}'");
        }
    }
}
