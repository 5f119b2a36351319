namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>Settings every system gets alike.</summary>
internal sealed record SystemSettings(int Workers, string? RedisConfiguration = null)
{
    /// <summary>How many handlers may run at once in every system (Convo MaxConcurrentRuns and the event's
    /// MaxConcurrency, Quartz MaxConcurrency, Hangfire WorkerCount).</summary>
    public const int DefaultWorkers = 32;
}
