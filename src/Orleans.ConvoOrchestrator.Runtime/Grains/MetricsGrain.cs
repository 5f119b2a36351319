using Orleans.Concurrency;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// Aggregates the silos' metric batches. Reentrant so a flush that is already on its way can land while a
/// snapshot is draining the silos; every state change happens between awaits.
/// </summary>
[Reentrant]
internal sealed class MetricsGrain : Grain, IMetricsGrain
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RegistrationWait = TimeSpan.FromSeconds(3);
    private readonly MetricsStore _total = new();
    private readonly HashSet<IMetricsSource> _sources = new();

    /// <inheritdoc />
    public Task FlushAsync(MetricsBatch batch, IMetricsSource? source)
    {
        _total.Merge(batch);
        if (source is not null) _sources.Add(source);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<MetricsSnapshot> SnapshotAsync()
    {
        await WaitForSourcesAsync();
        var drains = _sources.Select(async source =>
        {
            try
            {
                return (source, batch: await source.DrainAsync().WaitAsync(DrainTimeout));
            }
            catch (Exception)
            {
                return (source, batch: (MetricsBatch?)null);
            }
        }).ToList();
        foreach (var (source, batch) in await Task.WhenAll(drains))
        {
            // A silo that does not answer is dropped; it registers again with its next flush.
            if (batch is null) _sources.Remove(source);
            else _total.Merge(batch);
        }
        return _total.Snapshot();
    }

    // After this grain (re)activates, silos register again with their next flush; until every active silo has,
    // a snapshot could miss runs they finished. Wait for them, briefly.
    private async Task WaitForSourcesAsync()
    {
        var deadline = DateTime.UtcNow + RegistrationWait;
        while (DateTime.UtcNow < deadline)
        {
            var silos = await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            if (_sources.Count >= silos.Count) return;
            await Task.Delay(50);
        }
    }
}
