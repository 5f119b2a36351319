namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// When grains write state that only records progress (an event's last outcome, a trigger's fire count and
/// handled-up-to instant): a choice of the store's, declared in its <see cref="StoreCapabilities"/>.
/// </summary>
internal enum ProgressWrites
{
    /// <summary>
    /// At most once per interval while progress is made (<see cref="ConvoOrchestratorOptions.HistoryWriteDelay"/>,
    /// <see cref="ConvoOrchestratorOptions.TriggerStateWriteInterval"/>), so a crash loses little: for stores that
    /// outlive the process.
    /// </summary>
    Periodically,

    /// <summary>
    /// Only when the grain's activation ends. For stores that die with the process there is no crash to recover
    /// from, and periodic writes at thousands of grains were most of what the garbage collector promoted
    /// (docs/adr/0008-memory-store-tuning.md).
    /// </summary>
    WhenDeactivated,
}
