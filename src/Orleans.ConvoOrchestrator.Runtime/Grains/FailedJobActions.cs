using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Runtime.Jobs;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// One event's failed list: read it, requeue jobs from it (each keeps its id; its next run is a new delivery) or
/// discard them. The list lives in the job store; requeued jobs join the event's <see cref="EventJobs"/>. Called from
/// the event grain's turns only, once it has checked the event exists. A requeue is fenced by the activation's owner
/// token (<paramref name="owner"/>); its refusal goes to <paramref name="fenced"/>.
/// </summary>
internal sealed class FailedJobActions(EventId eventId, IJobStore store, EventJobs jobs, MetricsCollector metrics, TimeProvider clock,
    int? queueMaxSize, ILogger logger, string? owner = null, Action? fenced = null)
{
    /// <summary>The most recent failed jobs, newest first.</summary>
    public async Task<Result<List<FailedJob>>> ListAsync(int limit) => (await store.LoadFailedAsync(eventId, limit)).ToList();

    /// <summary>
    /// Requeues the failed jobs named (all when null); answers how many. <paramref name="removed"/> tells whether the
    /// event went while the list was read.
    /// </summary>
    public async Task<Result<int>> RequeueAsync(List<string>? jobIds, Func<bool> removed)
    {
        var failed = await store.LoadFailedAsync(eventId, int.MaxValue);
        var wanted = jobIds?.ToHashSet(StringComparer.Ordinal);
        // Oldest failure first, so they queue in the order they first failed; each keeps its id and its last delivery
        // count (its next run is a new delivery, ctx.Delivery says so).
        var now = clock.GetUtcNow();
        var requeue = failed.Where(f => wanted is null || wanted.Contains(f.JobId)).Reverse()
            .Where(f => jobs.StateOf(f.JobId) is null)
            .Select(f => new QueuedJob(f.JobId, jobs.NextSequence(), f.PayloadJson, f.TriggerId, f.CorrelationId, now, f.ScheduledAt, Math.Max(1, f.Outcome.Delivery),
                IsBackfill: f.IsBackfill))
            .ToList();
        if (removed()) return Result<int>.Err(ErrorKind.NOT_FOUND, $"event '{eventId}' does not exist");
        if (queueMaxSize is { } limit && jobs.Waiting + requeue.Count > limit)
            return Result<int>.Err(ErrorKind.QUEUE_FULL, $"requeueing {requeue.Count} jobs would overfill the queue of event '{eventId}' ({limit} jobs waiting at most)");
        IReadOnlyList<string> moved;
        try
        {
            moved = await store.RequeueFailedAsync(eventId, requeue, owner);
        }
        catch (JobOwnershipLostException)
        {
            fenced?.Invoke();
            return Result<int>.Err(ErrorKind.REPOSITORY_ERROR, $"event '{eventId}' moved to another activation meanwhile; nothing was requeued, requeue again");
        }
        catch (Exception ex)
        {
            logger.WriteFailed(ex, eventId.Value);
            return Result<int>.Err(ErrorKind.REPOSITORY_ERROR, $"the failed jobs could not be requeued ({ex.Message}); nothing was, or requeue again");
        }
        var movedIds = moved.ToHashSet(StringComparer.Ordinal);
        var requeued = 0;
        foreach (var job in requeue)
        {
            if (movedIds.Contains(job.JobId) && jobs.TryRequeue(job)) requeued++;
        }
        if (requeued > 0)
        {
            metrics.Increment(MetricNames.JobsRequeued, eventId, requeued);
            jobs.Pump();
        }
        return requeued;
    }

    /// <summary>Discards the failed jobs named (all when null); answers how many.</summary>
    public async Task<Result<int>> DiscardAsync(List<string>? jobIds)
    {
        try
        {
            var discarded = await store.DiscardFailedAsync(eventId, jobIds);
            if (discarded > 0) metrics.Increment(MetricNames.JobsDiscarded, eventId, discarded);
            return discarded;
        }
        catch (Exception ex)
        {
            logger.WriteFailed(ex, eventId.Value);
            return Result<int>.Err(ErrorKind.REPOSITORY_ERROR, $"the failed jobs could not be discarded ({ex.Message})");
        }
    }
}
