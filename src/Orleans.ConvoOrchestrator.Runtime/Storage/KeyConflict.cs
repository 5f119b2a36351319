namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>A new job a job store refused: its idempotency key is held by another job, within its window.</summary>
/// <param name="JobId">The refused job (nothing of it is stored).</param>
/// <param name="HeldBy">The job that holds the key: the answer to the refused job's emit.</param>
internal sealed record KeyConflict(string JobId, string HeldBy);
