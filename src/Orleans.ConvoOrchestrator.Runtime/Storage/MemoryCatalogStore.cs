using System.Text;
using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// The embedded store's catalogs: sorted in the silo's memory (one silo, nothing survives the process). Definitions
/// are kept as UTF-8 (half the bytes of a string for JSON's mostly ASCII text; the catalogs are a large part of what
/// an idle schedule keeps: docs/adr/0008-memory-store-tuning.md) and decoded when listed.
/// </summary>
internal sealed class MemoryCatalogStore : ICatalogStore
{
    private readonly Dictionary<string, (List<string> Ids, Dictionary<string, byte[]> Json)> _catalogs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public Task PutAsync(string catalog, string id, string json)
    {
        lock (_lock)
        {
            var (ids, definitions) = Catalog(catalog);
            var at = ids.BinarySearch(id, StringComparer.Ordinal);
            if (at < 0) ids.Insert(~at, id);
            definitions[id] = json.Length == 0 ? [] : Encoding.UTF8.GetBytes(json); // wake buckets list ids alone
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RemoveAsync(string catalog, string id)
    {
        lock (_lock)
        {
            var (ids, definitions) = Catalog(catalog);
            var at = ids.BinarySearch(id, StringComparer.Ordinal);
            if (at >= 0) ids.RemoveAt(at);
            definitions.Remove(id);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<List<CatalogEntry>> ListAsync(string catalog, string? after, int limit)
    {
        lock (_lock)
        {
            var (ids, definitions) = Catalog(catalog);
            var start = 0;
            if (after is not null)
            {
                var at = ids.BinarySearch(after, StringComparer.Ordinal);
                start = at >= 0 ? at + 1 : ~at;
            }
            var count = Math.Clamp(limit, 0, ids.Count - start);
            return Task.FromResult(ids.GetRange(start, count).Select(id => new CatalogEntry(id, Encoding.UTF8.GetString(definitions[id]))).ToList());
        }
    }

    private (List<string> Ids, Dictionary<string, byte[]> Json) Catalog(string name)
    {
        if (!_catalogs.TryGetValue(name, out var catalog))
            _catalogs[name] = catalog = ([], new Dictionary<string, byte[]>(StringComparer.Ordinal));
        return catalog;
    }
}
