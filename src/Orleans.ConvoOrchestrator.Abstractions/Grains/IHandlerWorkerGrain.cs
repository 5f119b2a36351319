using Orleans.Concurrency;

namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>
/// The handler-worker pool: a stateless worker on the calling silo that runs a job under its policy and
/// reports the outcome to the job's event grain.
/// </summary>
[Alias("convo.IHandlerWorkerGrain")]
public interface IHandlerWorkerGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Starts the jobs (one or more, dispatched by an event grain in one turn) and returns; their outcomes go to
    /// <see cref="IEventGrain.CompleteAsync"/>.
    /// </summary>
    [Alias("Execute"), OneWay] Task ExecuteAsync(List<JobRequest> requests);
}
