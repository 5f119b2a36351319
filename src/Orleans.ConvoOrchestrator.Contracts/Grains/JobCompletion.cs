namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>One job's outcome, reported by the worker pool to the job's event grain.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Outcome">How it ended.</param>
[GenerateSerializer, Immutable, Alias("convo.JobCompletion")]
public sealed record JobCompletion(string JobId, JobOutcome Outcome);
