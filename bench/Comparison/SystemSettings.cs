namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>
/// Settings every system gets alike. <paramref name="IdleRest"/>: the run measures idle schedules at rest (the
/// memory scenario), so a system may shorten the delays after which it frees what idle schedules no longer need.
/// </summary>
internal sealed record SystemSettings(int Workers, string? RedisConfiguration = null, bool IdleRest = false)
{
    /// <summary>How many handlers may run at once in every system (Convo MaxConcurrentRuns and the event's
    /// MaxConcurrency, Quartz MaxConcurrency, Hangfire WorkerCount).</summary>
    public const int DefaultWorkers = 32;

    /// <summary>The variable that sets ConvoOrchestrator's <c>FireLead</c> in milliseconds for an A/B (0: off).</summary>
    public const string FireLeadVariable = "CONVO_BENCH_FIRE_LEAD_MS";

    /// <summary>ConvoOrchestrator's fire lead from <see cref="FireLeadVariable"/>; null (the default) when unset.</summary>
    public static TimeSpan? FireLeadFromEnvironment() =>
        Environment.GetEnvironmentVariable(FireLeadVariable) is { Length: > 0 } ms
            ? TimeSpan.FromMilliseconds(double.Parse(ms, System.Globalization.CultureInfo.InvariantCulture))
            : null;
}
