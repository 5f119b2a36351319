using Quartz;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>The no-op job of scheduled fires.</summary>
internal sealed class QuartzFireJob : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        Probe.Fired(context.ScheduledFireTimeUtc ?? context.FireTimeUtc);
        return default;
    }
}
