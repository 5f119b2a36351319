namespace Orleans.ConvoOrchestrator.Runtime.Jobs;

/// <summary>What admits and starts an event's jobs, from its policy and the silo's options.</summary>
/// <param name="MaxConcurrency">Jobs that may hold a slot (be starting or running) at once.</param>
/// <param name="RatePerSecond">Starts per second allowed, or null for no limit.</param>
/// <param name="QueueLimit">Jobs that may wait (queued or being stored) before emits are refused, or null for no bound.</param>
internal readonly record struct JobRules(int MaxConcurrency, double? RatePerSecond = null, int? QueueLimit = null);
