namespace Orleans.ConvoOrchestrator;

/// <summary>What a trigger does about fires that were due while nothing could fire them.</summary>
[GenerateSerializer, Alias("convo.MisfirePolicy")]
public enum MisfirePolicy
{
    /// <summary>Fire once on recovery for all that were missed (never a burst). The default.</summary>
    Coalesce = 0,
    /// <summary>Fire nothing for them; go on with the next due time.</summary>
    Skip = 1,
    /// <summary>
    /// Fire each of them that lies within the trigger's <see cref="Trigger.CatchUpWindow"/> (required), in order, each
    /// for its own scheduled instant, at most <see cref="MisfirePlanner.MaxCatchUp"/> at once; older ones are missed.
    /// The overlap policy then decides, per event, what runs.
    /// </summary>
    RunAll = 2,
}
