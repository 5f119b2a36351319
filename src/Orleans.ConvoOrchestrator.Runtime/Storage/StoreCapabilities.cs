namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// What the chosen store can do, declared once by the hosting call that picks it (<c>UseConvoInMemoryStore</c>,
/// <c>UseConvoRedisStore</c>) and read by the grains at activation, which choose their write strategy from it instead of
/// asking a store what kind it is.
/// </summary>
/// <param name="OutlivesProcess">Stored jobs, outcomes and states survive the silo's process (a crash loses nothing acknowledged).</param>
/// <param name="CompletesInline">Every store call completes synchronously in this process (nothing to batch or wait for).</param>
/// <param name="Progress">When grains write state that only records progress.</param>
internal sealed record StoreCapabilities(bool OutlivesProcess, bool CompletesInline, ProgressWrites Progress)
{
    /// <summary>The embedded store: in the silo's memory, synchronous, gone with the process; progress written when a grain deactivates.</summary>
    public static StoreCapabilities Memory { get; } = new(OutlivesProcess: false, CompletesInline: true, ProgressWrites.WhenDeactivated);

    /// <summary>A remote durable store (Redis): outlives the process, answers asynchronously; progress written periodically.</summary>
    public static StoreCapabilities Durable { get; } = new(OutlivesProcess: true, CompletesInline: false, ProgressWrites.Periodically);
}
