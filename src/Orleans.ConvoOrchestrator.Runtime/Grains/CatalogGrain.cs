using Orleans.ConvoOrchestrator.Grains;
using Orleans.Concurrency;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// Answers listings for clients from the <see cref="ICatalogStore"/> (grains write the store directly). Stateless
/// and local to the caller's silo: no single activation is a bottleneck or holds 100,000 ids in memory.
/// </summary>
[StatelessWorker, Reentrant]
internal sealed class CatalogGrain(ICatalogStore store) : Grain, ICatalogGrain
{
    private string Catalog => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public async Task<List<string>> ListAsync(string? after, int limit) =>
        (await store.ListAsync(Catalog, after, limit)).Select(e => e.Id).ToList();

    /// <inheritdoc />
    public Task<List<CatalogEntry>> ListEntriesAsync(string? after, int limit) => store.ListAsync(Catalog, after, limit);
}
