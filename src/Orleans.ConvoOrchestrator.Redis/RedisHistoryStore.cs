using System.Text.Json;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Redis;

/// <summary>
/// Histories in Redis (<see cref="RedisHistoryKeys"/>): records keyed by run in append order, bounded by the writes of
/// <see cref="RedisJobStore"/>. A read is one script (the newest keys, then their records), whatever the history's length.
/// </summary>
internal sealed class RedisHistoryStore(RedisConnection redis) : IHistoryStore
{
    // The newest ARGV[1] run keys in order, then their records; HMGET in slices (Lua's unpack has a stack limit).
    private const string LoadScript = """
        local keys = redis.call('ZRANGE', KEYS[1], -tonumber(ARGV[1]), -1)
        local out = {}
        for i = 1, #keys, 500 do
          local slice = {}
          for j = i, math.min(i + 499, #keys) do slice[#slice + 1] = keys[j] end
          local values = redis.call('HMGET', KEYS[2], unpack(slice))
          for _, v in ipairs(values) do if v then out[#out + 1] = v end end
        end
        return out
        """;

    /// <inheritdoc />
    public async Task<IReadOnlyList<JobRecord>> LoadAsync(EventId eventId, int limit)
    {
        if (limit < 1) return [];
        var db = await redis.DatabaseAsync();
        var result = await db.ScriptEvaluateAsync(LoadScript, [redis.Keys.Runs(eventId), redis.Keys.RunRecords(eventId)], [limit]);
        var values = (RedisValue[])result!;
        var records = new List<JobRecord>(values.Length);
        foreach (var value in values)
        {
            if (!value.IsNull && JsonSerializer.Deserialize<JobRecord>((string)value!, ConvoJson.Options) is { } record) records.Add(record);
        }
        return records;
    }

    /// <inheritdoc />
    public async Task ClearAsync(EventId eventId)
    {
        var db = await redis.DatabaseAsync();
        await db.KeyDeleteAsync([redis.Keys.Runs(eventId), redis.Keys.RunRecords(eventId)]);
    }
}
