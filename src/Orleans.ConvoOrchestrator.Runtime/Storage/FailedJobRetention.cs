namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>How much of each event's failed list a job store keeps (from <see cref="ConvoOrchestratorOptions"/>).</summary>
/// <param name="Kept">The most failed jobs per event; the oldest failures go first. 0 keeps none.</param>
/// <param name="MaxAge">How long after its failure a job stays listed.</param>
internal sealed record FailedJobRetention(int Kept, TimeSpan MaxAge)
{
    /// <summary>The defaults: 1,000 per event, for 7 days.</summary>
    public static FailedJobRetention Default { get; } = new(1000, TimeSpan.FromDays(7));

    /// <summary>The retention the options ask for.</summary>
    public static FailedJobRetention From(ConvoOrchestratorOptions options) => new(options.FailedJobsKept, options.FailedJobsMaxAge);
}
