using Orleans.ConvoOrchestrator.Grains;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>A sorted set of ids, paged by "after".</summary>
public sealed class CatalogGrain(
    [PersistentState("catalog", ConvoOrchestratorOptions.StorageName)] IPersistentState<CatalogState> state) : Grain, ICatalogGrain
{
    /// <inheritdoc />
    public async Task AddAsync(string id)
    {
        var ids = state.State.Ids;
        var at = ids.BinarySearch(id, StringComparer.Ordinal);
        if (at >= 0) return;
        ids.Insert(~at, id);
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string id)
    {
        var ids = state.State.Ids;
        var at = ids.BinarySearch(id, StringComparer.Ordinal);
        if (at < 0) return;
        ids.RemoveAt(at);
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public Task<List<string>> ListAsync(string? after, int limit)
    {
        var ids = state.State.Ids;
        var start = 0;
        if (after is not null)
        {
            var at = ids.BinarySearch(after, StringComparer.Ordinal);
            start = at >= 0 ? at + 1 : ~at;
        }
        var count = Math.Clamp(limit, 0, ids.Count - start);
        return Task.FromResult(ids.GetRange(start, count));
    }
}
