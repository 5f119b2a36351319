namespace Orleans.ConvoOrchestrator.Redis;

/// <summary>Where a silo keeps its membership, definitions, jobs, schedules and reminders.</summary>
public enum ConvoStoreKind
{
    /// <summary>The embedded default: one process, localhost clustering, memory storage. Nothing survives the process.</summary>
    Memory,

    /// <summary>Redis: clustering, grain state, reminders and the job queues. Several silos share one Redis.</summary>
    Redis,
}
