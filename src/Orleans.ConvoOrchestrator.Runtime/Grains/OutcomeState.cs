namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// What an event grain persists about its runs, apart from the definition so that a job's end never rewrites
/// the definition, and written in batches (<see cref="ConvoOrchestratorOptions.HistoryWriteDelay"/>).
/// </summary>
[GenerateSerializer, Alias("convo.OutcomeState")]
public sealed class OutcomeState
{
    /// <summary>The most recent outcome.</summary>
    [Id(0)] public JobOutcome? LastOutcome { get; set; }

    /// <summary>Recent outcomes, oldest first, bounded by the history size.</summary>
    [Id(1)] public List<JobRecord> History { get; set; } = new();
}
