using System.Text.Json;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// Histories in Redis: one list per event (a record per element, as JSON), appended and trimmed in one
/// MULTI/EXEC, so a batch of outcomes costs one round trip whatever the history's length.
/// </summary>
public sealed class RedisHistoryStore(RedisConnection redis) : IHistoryStore
{
    private RedisKey Key(EventId eventId) => redis.KeyPrefix + "history:" + eventId.Value;

    /// <inheritdoc />
    public bool AppendsInline => false;

    /// <inheritdoc />
    public async Task AppendAsync(EventId eventId, IReadOnlyList<JobRecord> records, int keep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        if (records.Count == 0) return;
        var db = await redis.DatabaseAsync();
        var tx = db.CreateTransaction();
        var key = Key(eventId);
        var push = tx.ListRightPushAsync(key, records.Select(r => (RedisValue)JsonSerializer.Serialize(r, ConvoJson.Options)).ToArray());
        var trim = tx.ListTrimAsync(key, -keep, -1);
        if (!await tx.ExecuteAsync()) throw new RedisException($"the history append of event '{eventId}' was not applied");
        await Task.WhenAll(push, trim);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<JobRecord>> LoadAsync(EventId eventId, int limit)
    {
        if (limit < 1) return [];
        var db = await redis.DatabaseAsync();
        var values = await db.ListRangeAsync(Key(eventId), -limit, -1);
        var records = new List<JobRecord>(values.Length);
        foreach (var value in values)
        {
            if (JsonSerializer.Deserialize<JobRecord>((string)value!, ConvoJson.Options) is { } record) records.Add(record);
        }
        return records;
    }

    /// <inheritdoc />
    public async Task ClearAsync(EventId eventId)
    {
        var db = await redis.DatabaseAsync();
        await db.KeyDeleteAsync(Key(eventId));
    }
}
