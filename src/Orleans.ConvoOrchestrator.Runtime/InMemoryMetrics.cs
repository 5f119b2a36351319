using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// The guide's metrics object for the embedded <see cref="EventManager"/>. While the manager runs,
/// <see cref="Snapshot"/> reads the cluster's metrics grain (which drains every silo first, so finished runs are
/// in it); after <c>StopAsync</c> it keeps the final snapshot, and a restarted manager continues from it.
/// </summary>
public sealed class InMemoryMetrics
{
    private readonly object _gate = new();
    private IGrainFactory? _grains;
    private MetricsSnapshot _last = MetricsSnapshot.Empty;

    /// <summary>The current metrics (blocks while it asks the running silo; prefer <see cref="SnapshotAsync"/> in async code).</summary>
    public MetricsSnapshot Snapshot() => SnapshotAsync().GetAwaiter().GetResult();

    /// <summary>The current metrics.</summary>
    public async Task<MetricsSnapshot> SnapshotAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IGrainFactory? grains;
        lock (_gate) grains = _grains;
        if (grains is null) lock (_gate) return _last;
        return await grains.GetGrain<IMetricsGrain>(MetricsGrainKey.Cluster).SnapshotAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    internal async Task BindAsync(IGrainFactory grains)
    {
        MetricsSnapshot seed;
        lock (_gate) seed = _last;
        if (seed.Counters.Count > 0 || seed.Histograms.Count > 0)
            await grains.GetGrain<IMetricsGrain>(MetricsGrainKey.Cluster).FlushAsync(new MetricsBatch(seed.Counters, seed.Histograms), null).ConfigureAwait(false);
        lock (_gate) _grains = grains;
    }

    internal void Unbind(MetricsSnapshot final)
    {
        lock (_gate)
        {
            _grains = null;
            _last = final;
        }
    }
}
