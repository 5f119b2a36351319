using Orleans.ConvoOrchestrator.Grains;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Redis;

/// <summary>
/// Catalogs in Redis: a sorted set of ids (all score 0, so ordered by id) for paging with ZRANGE BYLEX, and a hash
/// id -> definition JSON. Each change is one MULTI/EXEC of two small commands.
/// </summary>
internal sealed class RedisCatalogStore(RedisConnection redis) : ICatalogStore
{
    // One hash tag (the catalog's name) for both, so their MULTI/EXEC stays in one slot of a Cluster.
    private RedisKey IdsKey(string catalog) => redis.Keys.CatalogIds(catalog);

    private RedisKey JsonKey(string catalog) => redis.Keys.CatalogJson(catalog);

    /// <inheritdoc />
    public async Task PutAsync(string catalog, string id, string json)
    {
        var db = await redis.DatabaseAsync();
        var tx = db.CreateTransaction();
        _ = tx.SortedSetAddAsync(IdsKey(catalog), id, 0);
        _ = tx.HashSetAsync(JsonKey(catalog), id, json);
        if (!await tx.ExecuteAsync()) throw new RedisException($"the catalog entry '{id}' was not stored");
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string catalog, string id)
    {
        var db = await redis.DatabaseAsync();
        var tx = db.CreateTransaction();
        _ = tx.SortedSetRemoveAsync(IdsKey(catalog), id);
        _ = tx.HashDeleteAsync(JsonKey(catalog), id);
        if (!await tx.ExecuteAsync()) throw new RedisException($"the catalog entry '{id}' was not removed");
    }

    /// <inheritdoc />
    public async Task<List<CatalogEntry>> ListAsync(string catalog, string? after, int limit)
    {
        if (limit <= 0) return [];
        var db = await redis.DatabaseAsync();
        var ids = await db.SortedSetRangeByValueAsync(IdsKey(catalog), after ?? default(RedisValue), default,
            after is null ? Exclude.None : Exclude.Start, Order.Ascending, 0, limit);
        if (ids.Length == 0) return [];
        var json = await db.HashGetAsync(JsonKey(catalog), ids);
        var entries = new List<CatalogEntry>(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            if (json[i].HasValue) entries.Add(new CatalogEntry(ids[i]!, json[i]!));
        }
        return entries;
    }
}
