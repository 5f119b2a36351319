namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>The systems compared, by the names the command line uses, and how each is built.</summary>
internal static class SystemKind
{
    public const string Convo = "convo";
    public const string Quartz = "quartz";
    public const string Hangfire = "hangfire";

    public static readonly IReadOnlyList<string> All = [Convo, Quartz, Hangfire];

    public static string DisplayName(string system) => system switch
    {
        Convo => "ConvoOrchestrator",
        Quartz => "Quartz.NET",
        Hangfire => "Hangfire",
        _ => system,
    };

    public static IJobSystem Create(string system, SystemSettings settings) => system switch
    {
        Convo => new ConvoSystem(settings),
        Quartz => new QuartzSystem(settings),
        Hangfire => new HangfireSystem(settings),
        _ => throw new ArgumentException($"unknown system '{system}' (expected {string.Join(", ", All)})", nameof(system)),
    };

    /// <summary>
    /// Quartz.NET has no Redis job store; the durable scenario compares Convo and Hangfire only. The failover scenario
    /// runs ConvoOrchestrator's own silo processes: clustering Quartz.NET or Hangfire is out of its scope.
    /// </summary>
    public static bool Supports(string system, string scenario) => scenario switch
    {
        ScenarioKind.Durable => system != Quartz,
        ScenarioKind.Failover => system == Convo,
        _ => true,
    };
}
