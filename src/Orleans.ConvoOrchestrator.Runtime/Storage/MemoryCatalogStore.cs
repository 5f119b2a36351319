using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// The embedded store's catalogs: sorted in the silo's memory (one silo, nothing survives the process). Definitions
/// are kept packed (<see cref="CatalogJsonPacking"/>: UTF-8 with their repeated property names as single bytes; the
/// catalogs are a large part of what an idle schedule keeps: docs/adr/0008-memory-store-tuning.md) and unpacked when
/// listed.
/// </summary>
internal sealed class MemoryCatalogStore : ICatalogStore
{
    private readonly Dictionary<string, (SortedIds Ids, Dictionary<string, byte[]> Json)> _catalogs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public Task PutAsync(string catalog, string id, string json)
    {
        lock (_lock)
        {
            var (ids, definitions) = Catalog(catalog);
            var bytes = CatalogJsonPacking.Pack(json); // empty for wake buckets, which list ids alone
            if (definitions.TryAdd(id, bytes)) ids.AddNew(id);
            else definitions[id] = bytes;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RemoveAsync(string catalog, string id)
    {
        lock (_lock)
        {
            var (ids, definitions) = Catalog(catalog);
            if (definitions.Remove(id)) ids.Remove(id);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<List<CatalogEntry>> ListAsync(string catalog, string? after, int limit)
    {
        lock (_lock)
        {
            var (ids, definitions) = Catalog(catalog);
            return Task.FromResult(ids.After(after, limit).Select(id => new CatalogEntry(id, CatalogJsonPacking.Unpack(definitions[id]))).ToList());
        }
    }

    private (SortedIds Ids, Dictionary<string, byte[]> Json) Catalog(string name)
    {
        if (!_catalogs.TryGetValue(name, out var catalog))
            _catalogs[name] = catalog = (new SortedIds(), new Dictionary<string, byte[]>(StringComparer.Ordinal));
        return catalog;
    }
}
