using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// Where the listings of events and triggers live: per catalog, ids in ordinal order with their definition JSON.
/// Adding or removing one entry costs one small write whatever the catalog's size. Hosting chooses the
/// implementation (<see cref="MemoryCatalogStore"/> or the Redis one (package Orleans.ConvoOrchestrator.Redis)).
/// </summary>
internal interface ICatalogStore
{
    /// <summary>Adds the entry, or replaces its JSON.</summary>
    Task PutAsync(string catalog, string id, string json);

    /// <summary>Removes the entry (nothing when absent).</summary>
    Task RemoveAsync(string catalog, string id);

    /// <summary>Up to <paramref name="limit"/> entries with ids ordinally after <paramref name="after"/>.</summary>
    Task<List<CatalogEntry>> ListAsync(string catalog, string? after, int limit);
}
