namespace Orleans.ConvoOrchestrator;

/// <summary>
/// What a trigger's fire does while jobs of its earlier fires are still queued or running for the event it fires
/// into. Applied by each subscribed event on its own; emits that no trigger made are never affected.
/// </summary>
[GenerateSerializer, Alias("convo.OverlapPolicy")]
public enum OverlapPolicy
{
    /// <summary>Every fire queues a job, whatever is still queued or running. The default.</summary>
    AllowAll = 0,

    /// <summary>A fire while a job of this trigger is queued or running is recorded SKIPPED (counted) and runs nothing.</summary>
    Skip = 1,

    /// <summary>
    /// At most one job of this trigger waits: a fire while one already waits is recorded SKIPPED; a fire while one
    /// only runs queues one to run after it.
    /// </summary>
    BufferOne = 2,

    /// <summary>
    /// A fire cancels the jobs of this trigger's earlier fires (queued ones end CANCELLED at once; running ones have
    /// their token cancelled, see <c>CancelJobAsync</c>), then queues its own, which starts once their slots are free.
    /// </summary>
    CancelOther = 3,
}
