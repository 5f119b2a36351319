using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime.Hosting;

/// <summary>
/// Raised first when the silo begins to stop (before the worker pool's grace period): triggers stop firing,
/// so a stopping silo takes on no new work. Stages stop from the highest down, hence Active + 1.
/// </summary>
internal sealed class SiloStopping : ILifecycleParticipant<ISiloLifecycle>
{
    private volatile bool _stopping;

    /// <summary>True once the silo began to stop.</summary>
    public bool IsStopping => _stopping;

    /// <summary>Marks the silo as stopping (also called by the embedded manager before it drains).</summary>
    public void Signal() => _stopping = true;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(SiloStopping), ServiceLifecycleStage.Active + 1,
        _ => Task.CompletedTask, _ =>
        {
            Signal();
            return Task.CompletedTask;
        });
}
