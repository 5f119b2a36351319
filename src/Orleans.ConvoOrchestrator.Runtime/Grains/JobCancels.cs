using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Runtime.Jobs;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// An operator's cancels of one event's jobs, and the cancels of overlap policy CancelOther, as calls on its
/// <see cref="EventJobs"/>. A cancel answers once the job's CANCELLED end is stored: an OK means the job is gone for
/// good, even after a crash. Called from the event grain's turns only.
/// </summary>
internal sealed class JobCancels(EventId eventId, EventJobs jobs, MetricsCollector metrics, TimeProvider clock, ILogger logger)
{
    /// <summary>Cancels one waiting or running job.</summary>
    public async Task<Result> CancelAsync(string jobId)
    {
        // A job held by the worker pool for its instant (a fire taken ahead) has not started either.
        var waiting = jobs.StateOf(jobId) is { } known && EventJobs.IsWaiting(known) || jobs.IsAhead(jobId);
        if (CancelCounted(jobId, waiting ? "cancelled before it started" : "cancelled by an operator while it ran", out var state) is not { } end)
        {
            return state switch
            {
                null => Result.Err(ErrorKind.NOT_FOUND, $"job '{jobId}' of event '{eventId}' is not waiting or running (unknown, or already ended)"),
                JobState.Cancelling => Result.Err(ErrorKind.CONFLICT, $"job '{jobId}' of event '{eventId}' is already being cancelled"),
                _ => Result.Err(ErrorKind.CONFLICT, $"job '{jobId}' of event '{eventId}' has already ended"),
            };
        }
        return await StoredAsync([end], 1) is { IsErr: true } failed ? Result.Err(failed.Error) : Result.Ok();
    }

    /// <summary>Cancels every waiting job; answers how many.</summary>
    public async Task<Result<int>> CancelWaitingAsync()
    {
        var cancelled = ByOperator("cancelled before it started");
        var ends = jobs.CancelAllWaiting(cancelled);
        foreach (var _ in ends) metrics.Finished(eventId, cancelled);
        return await StoredAsync(ends, ends.Count);
    }

    /// <summary>
    /// Overlap policy CancelOther: the earlier fires' jobs of <paramref name="trigger"/> end CANCELLED (their ends are
    /// written like any cancel's; the fire does not wait for them), and the new job queues behind the slots they free.
    /// </summary>
    public void CancelEarlierFires(TriggerId trigger)
    {
        var ids = jobs.Unended(trigger);
        if (ids.Count == 0) return;
        var why = $"a newer fire of trigger '{trigger}' replaced it (overlap policy CancelOther)";
        foreach (var jobId in ids)
        {
            if (CancelCounted(jobId, why, out _) is { } end)
            {
                _ = end.ContinueWith(static (t, s) => { var (log, id) = ((ILogger, string))s!; log.WriteFailed(t.Exception!.GetBaseException(), id); },
                    (logger, eventId.Value), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Current);
            }
        }
    }

    /// <summary>
    /// The event or <paramref name="trigger"/> was paused: its fires taken ahead whose instant has not come end
    /// CANCELLED (<paramref name="why"/>) before any handler runs, as a fire at the instant would not have run. Their
    /// ends are written like any cancel's; the pause does not wait for them.
    /// </summary>
    public int CancelAhead(TriggerId? trigger, string why)
    {
        var ids = jobs.Ahead(trigger);
        foreach (var jobId in ids)
        {
            if (CancelCounted(jobId, why, out _) is { } end)
            {
                _ = end.ContinueWith(static (t, s) => { var (log, id) = ((ILogger, string))s!; log.WriteFailed(t.Exception!.GetBaseException(), id); },
                    (logger, eventId.Value), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Current);
            }
        }
        return ids.Count;
    }

    private JobOutcome ByOperator(string why)
    {
        var now = clock.GetUtcNow();
        return new JobOutcome(JobStatus.CANCELLED, now, now, new AppError(ErrorKind.CANCELLED, why));
    }

    // Cancels one job (see EventJobs.Cancel). A job that never ran is counted here; a running one's run counts its
    // own end (the worker pool's executor).
    private Task? CancelCounted(string jobId, string why, out JobState? state)
    {
        var cancelled = ByOperator(why);
        var end = jobs.Cancel(jobId, cancelled, out state);
        if (end is not null && state is { } before && EventJobs.IsWaiting(before)) metrics.Finished(eventId, cancelled);
        return end;
    }

    private async Task<Result<int>> StoredAsync(List<Task> ends, int count)
    {
        try
        {
            await Task.WhenAll(ends);
            return count;
        }
        catch (Exception ex)
        {
            logger.WriteFailed(ex, eventId.Value);
            return Result<int>.Err(ErrorKind.REPOSITORY_ERROR,
                $"cancelled, but not stored yet ({ex.Message}); the write is repeated, and until it lands a crash would run the jobs again");
        }
    }
}
