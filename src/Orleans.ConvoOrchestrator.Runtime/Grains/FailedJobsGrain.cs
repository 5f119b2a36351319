using Orleans.ConvoOrchestrator.Grains;
using Orleans.Concurrency;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// Every event's failed jobs, straight from the job store: a cluster-wide listing must not activate one event grain
/// per event. Stateless, so each silo answers from its own activation.
/// </summary>
[StatelessWorker]
internal sealed class FailedJobsGrain(IJobStore store) : Grain, IFailedJobsGrain
{
    /// <inheritdoc />
    public async Task<List<FailedJob>> ListAsync(int limit)
    {
        var all = new List<FailedJob>();
        foreach (var eventId in await store.EventsWithFailedAsync())
            all.AddRange(await store.LoadFailedAsync(eventId, limit));
        return all.OrderByDescending(f => f.Outcome.FinishedAt).ThenBy(f => f.JobId, StringComparer.Ordinal).Take(limit).ToList();
    }
}
