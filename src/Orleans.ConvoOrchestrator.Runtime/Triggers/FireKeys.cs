namespace Orleans.ConvoOrchestrator.Runtime.Triggers;

/// <summary>
/// The idempotency keys of scheduled fires on a store that outlives the process: one per trigger and instant
/// (<c>fire:{triggerId}:{instant}</c>), taken by the job the fire queues in the same atomic write that stores it, so a
/// stale trigger activation and its successor (or a successor catching up instants its predecessor fired after its
/// last progress write) queue one job per instant and event. Apart from the backfill keys (<see cref="BackfillKeys"/>):
/// a backfill over instants that fired live queues them again, as before.
/// </summary>
internal static class FireKeys
{
    /// <summary>
    /// How long a fire's key is held beyond the trigger's progress write interval: the successor of a lost activation
    /// re-fires at most what was fired since the last progress write, once it is back (seconds after a crash).
    /// </summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(30);

    /// <summary>The key of the fire of <paramref name="triggerId"/> for <paramref name="instant"/>, in any offset.</summary>
    public static string For(TriggerId triggerId, DateTimeOffset instant) => InstantKeys.For("fire", triggerId, instant);

    /// <summary>How long a fire's key is held: the trigger progress write interval plus <see cref="Margin"/>.</summary>
    public static TimeSpan HoldFor(ConvoOrchestratorOptions options) => options.TriggerStateWriteInterval + Margin;
}
