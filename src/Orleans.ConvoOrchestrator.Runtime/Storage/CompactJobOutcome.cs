namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// A <see cref="JobOutcome"/> flattened into one value: kept inline in a long-lived object (a history record, an
/// event grain's last outcome) it adds no object per outcome, and no reference from an old object to a young one
/// for the garbage collector to rescan (docs/adr/0008-memory-store-tuning.md).
/// </summary>
internal readonly struct CompactJobOutcome
{
    private readonly DateTimeOffset _startedAt;
    private readonly DateTimeOffset _finishedAt;
    private readonly AppError? _error;
    private readonly string? _resultPreview;
    private readonly int _retries;
    private readonly int _delivery;
    private readonly JobStatus _status;

    /// <summary>Flattens <paramref name="outcome"/>.</summary>
    public CompactJobOutcome(JobOutcome outcome)
    {
        _status = outcome.Status;
        _startedAt = outcome.StartedAt;
        _finishedAt = outcome.FinishedAt;
        _error = outcome.Error;
        _retries = outcome.Retries;
        _resultPreview = outcome.ResultPreview;
        _delivery = outcome.Delivery;
    }

    /// <summary>The delivery the outcome ended (1, or more for a redelivery).</summary>
    public int Delivery => _delivery;

    /// <summary>When the job ended, in UTC ticks.</summary>
    public long FinishedTicks => _finishedAt.UtcTicks;

    /// <summary>The outcome again, equal to the one flattened.</summary>
    public JobOutcome ToOutcome() => new(_status, _startedAt, _finishedAt, _error, _retries, _resultPreview, _delivery);
}
