namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>The cluster-wide view of failed jobs: read from the job store, without activating an event grain each.</summary>
[Alias("convo.IFailedJobsGrain")]
public interface IFailedJobsGrain : IGrainWithIntegerKey
{
    /// <summary>The newest failed jobs of every event, newest failure first, at most <paramref name="limit"/>.</summary>
    [Alias("List")] Task<List<FailedJob>> ListAsync(int limit);
}
