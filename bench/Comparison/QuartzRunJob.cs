using Quartz;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>The no-op job of emitted jobs.</summary>
internal sealed class QuartzRunJob : IJob
{
    public const string EmittedAt = "t";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        Probe.Ran(context.MergedJobDataMap.TryGetValue(EmittedAt, out var t) && t is long ts ? ts : 0);
        return default;
    }
}
