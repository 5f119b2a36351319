namespace Orleans.ConvoOrchestrator.Runtime.Triggers;

/// <summary>
/// The idempotency keys of backfilled fires: one per trigger and instant (<c>backfill:{triggerId}:{instant}</c>), taken
/// by the job that runs the instant in the same atomic store write that stores it, so an instant is queued once per
/// event whatever repeats the backfill (an operator, a retry after a lost silo).
/// </summary>
internal static class BackfillKeys
{
    /// <summary>How long a backfilled instant's key is held at least: a repeat within it runs nothing again.</summary>
    public static readonly TimeSpan BackfillKeyWindow = TimeSpan.FromDays(30);

    /// <summary>The key of <paramref name="instant"/> of <paramref name="triggerId"/>; the same instant in any offset gives the same key.</summary>
    public static string For(TriggerId triggerId, DateTimeOffset instant) => InstantKeys.For("backfill", triggerId, instant);

    /// <summary>How long the key is held: <see cref="BackfillKeyWindow"/>, or the event's own idempotency window when longer.</summary>
    public static TimeSpan HoldFor(Policy policy) => policy.IdempotencyWindow > BackfillKeyWindow ? policy.IdempotencyWindow : BackfillKeyWindow;
}
