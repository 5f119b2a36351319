using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Jobs;

/// <summary>
/// The effects an event's job table asks for; the event grain carries them out (store writes through its
/// <see cref="JobWriteBatcher"/>, hand-over to the worker pool, grain timers, answers to waiting callers) and reports
/// each write's end back to the table. The table itself never does I/O and never calls Orleans.
/// </summary>
internal interface IJobEffects
{
    /// <summary>Store a newly accepted job; the task completes once it is stored (an emit answers then).</summary>
    Task Append(QueuedJob job);

    /// <summary>Store these jobs' new delivery counts, in one write (the list is reused after the call).</summary>
    void Mark(IReadOnlyList<QueuedJob> jobs);

    /// <summary>Store an outcome: append the record to the history and delete the job's record, in one write.</summary>
    void End(JobRecord record);

    /// <summary>Hand a stored, delivery-marked job to a handler.</summary>
    void Dispatch(QueuedJob job);

    /// <summary>Cancel a dispatched job's run (its handler's token); the handler's report comes back as usual.</summary>
    void StopRun(QueuedJob job);

    /// <summary>A job was not stored: its idempotency key is held by <paramref name="heldBy"/>, its emit's answer.</summary>
    void Deduplicated(QueuedJob job, string heldBy);

    /// <summary>A job is stored and accepted for good (counted).</summary>
    void Enqueued(QueuedJob job);

    /// <summary>A job's outcome is known (whoever waits for it is answered; its store write may still be pending).</summary>
    void Ended(QueuedJob job, JobOutcome outcome);

    /// <summary>Call <see cref="EventJobs.Pump"/> after <paramref name="due"/>: queued jobs wait for the rate limit.</summary>
    void ArmRateTimer(TimeSpan due);

    /// <summary>Call <see cref="EventJobs.RetryWrites"/> after <paramref name="due"/>: a write failed.</summary>
    void ArmRetryTimer(TimeSpan due);

    /// <summary>A store write failed (its jobs are let go, queued again or written again, as the table decides): log it.</summary>
    void WriteFailed(Exception failure);
}
