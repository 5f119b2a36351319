using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Redis;

/// <summary>
/// Moves the project's keys written before hash tags (<see cref="RedisKeys"/>) to their tagged names, once per service:
/// the first silo that connects finds no <see cref="RedisKeys.Layout"/> marker, takes a lock, renames every old job
/// hash, history and catalog (merging into a tagged key that already exists, whose entries win), spreads the old
/// pending set over its shards, and sets the marker; the others wait for the lock, then see the marker. Old keys only
/// exist on a single Redis (or a Sentinel's master): the old layout could not run on a Cluster.
/// </summary>
internal static partial class RedisKeyMigration
{
    // The version the marker records; a later layout change would raise it.
    private const string CurrentLayout = "2";

    // Moves KEYS[1] to KEYS[2]: renamed when the new key is absent, else merged (new entries win) and the old deleted.
    private const string MoveScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        if redis.call('EXISTS', KEYS[2]) == 0 then
          redis.call('RENAME', KEYS[1], KEYS[2])
          return 1
        end
        local kind = redis.call('TYPE', KEYS[1])['ok']
        if kind == 'hash' then
          local kv = redis.call('HGETALL', KEYS[1])
          for i = 1, #kv, 2 do redis.call('HSETNX', KEYS[2], kv[i], kv[i + 1]) end
        elseif kind == 'zset' then
          local kv = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
          for i = 1, #kv, 2 do redis.call('ZADD', KEYS[2], 'NX', kv[i + 1], kv[i]) end
        end
        redis.call('DEL', KEYS[1])
        return 2
        """;

    /// <summary>Migrates the keys of <paramref name="keys"/>' prefix when the marker says it is needed; returns the keys moved.</summary>
    public static async Task<int> RunAsync(IConnectionMultiplexer mux, RedisKeys keys, ILogger logger)
    {
        var db = mux.GetDatabase();
        if (await db.StringGetAsync(keys.Layout) == CurrentLayout) return 0;
        RedisKey lockKey = keys.Prefix + "layout-lock";
        var owner = Guid.NewGuid().ToString("N");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        // One silo migrates; the lock expires should it die meanwhile (the work is safe to repeat).
        while (!await db.StringSetAsync(lockKey, owner, TimeSpan.FromMinutes(2), When.NotExists))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"another silo held '{lockKey}' for 5 minutes: the key layout migration did not finish");
            await Task.Delay(200);
            if (await db.StringGetAsync(keys.Layout) == CurrentLayout) return 0;
        }
        try
        {
            if (await db.StringGetAsync(keys.Layout) == CurrentLayout) return 0;
            var moved = 0;
            foreach (var server in mux.GetServers().Where(s => s.IsConnected && !s.IsReplica))
            {
                await foreach (var key in server.KeysAsync(pattern: keys.Prefix + "*", pageSize: 1000))
                {
                    if (key.ToString() == keys.Prefix + "jobs-pending")
                    {
                        moved += await SpreadPendingAsync(db, keys, key);
                        continue;
                    }
                    if (NewName(keys, key.ToString()) is not { } target) continue;
                    if ((int)await db.ScriptEvaluateAsync(MoveScript, [key, target]) > 0) moved++;
                }
            }
            await db.StringSetAsync(keys.Layout, CurrentLayout);
            if (moved > 0) LogMigrated(logger, moved, keys.Prefix);
            return moved;
        }
        finally
        {
            await db.ScriptEvaluateAsync("if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end return 0", [lockKey], [owner]);
        }
    }

    // The tagged name of an old job, history or catalog key; null for any other key.
    private static RedisKey? NewName(RedisKeys keys, string name)
    {
        var rest = name[keys.Prefix.Length..];
        if (rest.StartsWith('{') || rest.StartsWith("catalog:{", StringComparison.Ordinal) || rest.StartsWith("layout", StringComparison.Ordinal)) return null;
        if (rest.StartsWith("jobs:", StringComparison.Ordinal)) return keys.Jobs(new EventId(rest["jobs:".Length..]));
        if (rest.StartsWith("runs:", StringComparison.Ordinal)) return keys.Runs(new EventId(rest["runs:".Length..]));
        if (rest.StartsWith("run-records:", StringComparison.Ordinal)) return keys.RunRecords(new EventId(rest["run-records:".Length..]));
        if (rest.StartsWith("catalog:", StringComparison.Ordinal))
        {
            var catalog = rest["catalog:".Length..];
            return catalog.EndsWith(":json", StringComparison.Ordinal) ? keys.CatalogJson(catalog[..^":json".Length]) : keys.CatalogIds(catalog);
        }
        return null;
    }

    private static async Task<int> SpreadPendingAsync(IDatabase db, RedisKeys keys, RedisKey old)
    {
        await foreach (var member in db.SetScanAsync(old, pageSize: 1000))
            await db.SetAddAsync(keys.Pending(new EventId(member!)), member);
        await db.KeyDeleteAsync(old);
        return 1;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved {Count} Redis key(s) of '{Prefix}' to the hash-tagged layout (a one-time migration)")]
    private static partial void LogMigrated(ILogger logger, int count, string prefix);
}
