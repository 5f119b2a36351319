namespace Orleans.ConvoOrchestrator;

/// <summary>The end of one job.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="StartedAt">When its first attempt started.</param>
/// <param name="FinishedAt">When its last attempt ended.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="Retries">Attempts after the first.</param>
/// <param name="ResultPreview">The handler's result as text, cut to 256 characters plus "...".</param>
/// <param name="Delivery">1, or more when this run is a redelivery after a lost silo (see <see cref="EventContext.Delivery"/>).</param>
[GenerateSerializer, Immutable, Alias("convo.JobOutcome")]
public sealed record JobOutcome(
    JobStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    AppError? Error = null,
    int Retries = 0,
    string? ResultPreview = null,
    int Delivery = 1)
{
    /// <summary>Wall time of the job, all attempts and backoff included.</summary>
    public TimeSpan Duration => FinishedAt - StartedAt;
}
