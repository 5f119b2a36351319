namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>Silo-side settings of the orchestrator.</summary>
public sealed class ConvoOrchestratorOptions
{
    /// <summary>Grain storage name the orchestrator's grains persist to; hosting registers a provider under it.</summary>
    public const string StorageName = "convo";

    /// <summary>Most handler runs at once on one silo (the worker pool's size). Jobs beyond it wait for a slot.</summary>
    public int MaxConcurrentRuns { get; set; } = 512;

    /// <summary>Most jobs waiting in one event's queue; a full queue rejects emits with QUEUE_FULL. Null: unbounded.</summary>
    public int? QueueMaxSize { get; set; } = 100_000;

    /// <summary>Outcomes kept per event in its run history.</summary>
    public int HistorySize { get; set; } = 100;

    /// <summary>How long after a job ends its outcome is written to storage (outcomes are written in batches).</summary>
    public TimeSpan HistoryWriteDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest payload accepted, in UTF-8 bytes of its JSON.</summary>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>How often a silo flushes its batched metrics to the metrics grain.</summary>
    public TimeSpan MetricsFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>On shutdown, how long running handlers may finish before their tokens are cancelled.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Delay before the first retry; EXP doubles it per retry.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Longest delay between retries.</summary>
    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Granularity of trigger timers: due times are rounded up to a multiple of this tick so fires that are due
    /// together share one timer callback. <c>schedulerTickMs</c> of <c>EventManager</c> sets it.
    /// </summary>
    public TimeSpan SchedulerTick { get; set; } = TimeSpan.FromMilliseconds(100);

    internal IEnumerable<string> Problems()
    {
        if (MaxConcurrentRuns < 1) yield return "MaxConcurrentRuns must be at least 1";
        if (QueueMaxSize is < 1) yield return "QueueMaxSize must be at least 1 (or null for unbounded)";
        if (HistorySize < 1) yield return "HistorySize must be at least 1";
        if (HistoryWriteDelay <= TimeSpan.Zero) yield return "HistoryWriteDelay must be positive";
        if (MaxPayloadBytes < 16) yield return "MaxPayloadBytes must be at least 16";
        if (MetricsFlushInterval <= TimeSpan.Zero) yield return "MetricsFlushInterval must be positive";
        if (ShutdownGracePeriod < TimeSpan.Zero) yield return "ShutdownGracePeriod must not be negative";
        if (BackoffBase < TimeSpan.Zero || BackoffCap < BackoffBase) yield return "BackoffBase must be >= 0 and <= BackoffCap";
        if (SchedulerTick < TimeSpan.FromMilliseconds(1)) yield return "SchedulerTick must be at least 1 ms";
    }
}
