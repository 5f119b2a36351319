namespace Orleans.ConvoOrchestrator;

/// <summary>What a trigger does when it looks at the clock.</summary>
/// <param name="FireFor">The scheduled time to fire for now, or null to fire nothing.</param>
/// <param name="Coalesced">True when that fire stands for fires that were missed.</param>
/// <param name="Missed">Fires that were not made on time (counted, never silent).</param>
/// <param name="HandledUpTo">Every fire at or before this instant is now dealt with.</param>
/// <param name="CatchUp">
/// With <see cref="MisfirePolicy.RunAll"/>: the missed fires to make before <paramref name="FireFor"/>, oldest first.
/// </param>
public readonly record struct FirePlan(DateTimeOffset? FireFor, bool Coalesced, long Missed, DateTimeOffset? HandledUpTo,
    IReadOnlyList<DateTimeOffset>? CatchUp = null);
