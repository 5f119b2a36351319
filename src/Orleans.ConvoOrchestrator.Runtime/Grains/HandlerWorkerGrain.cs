using Orleans.Concurrency;
using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// Entry to the silo's worker pool. A stateless worker, so each silo that hosts event grains runs their jobs
/// locally; the pool itself (<see cref="JobRunner"/>) bounds concurrency by an option rather than a compile-time
/// worker count.
/// </summary>
[StatelessWorker]
public sealed class HandlerWorkerGrain(JobRunner runner) : Grain, IHandlerWorkerGrain
{
    /// <inheritdoc />
    public Task ExecuteAsync(List<JobRequest> requests)
    {
        foreach (var request in requests) runner.Start(request);
        return Task.CompletedTask;
    }
}
