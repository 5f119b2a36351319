using Orleans.Concurrency;

namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>
/// The handler-worker pool: a stateless worker on the calling silo that runs a job under its policy and
/// reports the outcome to the job's event grain.
/// </summary>
[Alias("convo.IHandlerWorkerGrain")]
public interface IHandlerWorkerGrain : IGrainWithIntegerKey
{
    /// <summary>Starts the job and returns; the outcome goes to <see cref="IEventGrain.CompleteAsync"/>.</summary>
    [Alias("Execute"), OneWay] Task ExecuteAsync(JobRequest request);
}
