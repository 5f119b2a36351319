namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// What an event grain persists about its runs apart from the definition (so that a job's end never rewrites the
/// definition), written in batches (<see cref="ConvoOrchestratorOptions.HistoryWriteDelay"/>). The history itself
/// is in the <see cref="IHistoryStore"/>, appended record by record.
/// </summary>
[GenerateSerializer, Alias("convo.OutcomeState")]
internal sealed class OutcomeState
{
    /// <summary>The most recent outcome.</summary>
    [Id(0)] public JobOutcome? LastOutcome { get; set; }
}
