namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>Keys of the orchestrator's keyed services.</summary>
internal static class ConvoServiceKeys
{
    /// <summary>The <see cref="TimeProvider"/> the orchestrator reads time from (timestamps, timeouts, backoff).</summary>
    public const string Clock = "Orleans.ConvoOrchestrator.Clock";
}
