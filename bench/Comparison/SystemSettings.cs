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
}
