using Orleans.ConvoOrchestrator.Runtime.Grains;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// Job queues in Redis: one hash per event (field = job id, value = the job as compact JSON, <see cref="StoredJobJson"/>)
/// and one set listing the events that have jobs. A write without ended jobs (accepts, delivery marks) is one
/// MULTI/EXEC, so a batch of accepted jobs costs one round trip and, with <c>appendfsync always</c>, shares one fsync
/// with everything else Redis received meanwhile. A write that ends jobs is one script that also deletes their records
/// and appends their outcomes to the history (<see cref="RedisHistoryKeys"/>), so an outcome is stored exactly when its
/// job's record goes, and a retried write lists no run twice. The keys of one write share a hash tag
/// (<see cref="RedisKeys"/>): the pending set is sharded, one shard per tag. With
/// <see cref="ConvoRedisOptions.AckReplicas"/> a write completes only once that many replicas confirmed it.
/// </summary>
public sealed class RedisJobStore(RedisConnection redis) : IJobStore
{
    // Unlists the event only if its hash is empty, atomically with respect to concurrent writes.
    private const string ForgetScript = "if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end return 0";

    // KEYS: jobs hash, pending set, history order, history records. ARGV: event id, history size, upsert count, the
    // upserts as (job id, json), then the ended as (run key, job id, record json or '' when it would be trimmed anyway).
    private const string WriteScript = """
        local i = 4
        local n = tonumber(ARGV[3])
        if n > 0 then
          redis.call('SADD', KEYS[2], ARGV[1])
          for _ = 1, n do
            redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
            i = i + 2
          end
        end
        local top = nil
        while i <= #ARGV do
          redis.call('HDEL', KEYS[1], ARGV[i + 1])
          if ARGV[i + 2] ~= '' and redis.call('HSETNX', KEYS[4], ARGV[i], ARGV[i + 2]) == 1 then
            if top == nil then
              local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
              top = last[2] and tonumber(last[2]) or 0
            end
            top = top + 1
            redis.call('ZADD', KEYS[3], top, ARGV[i])
          end
          i = i + 3
        end
        local keep = tonumber(ARGV[2])
        local count = redis.call('ZCARD', KEYS[3])
        if count > keep then
          local old = redis.call('ZRANGE', KEYS[3], 0, count - keep - 1)
          for _, k in ipairs(old) do redis.call('HDEL', KEYS[4], k) end
          redis.call('ZREMRANGEBYRANK', KEYS[3], 0, count - keep - 1)
        end
        return 0
        """;

    private RedisKey PendingKey(EventId eventId) => redis.Keys.Pending(eventId);

    private RedisKey JobsKey(EventId eventId) => redis.Keys.Jobs(eventId);

    /// <inheritdoc />
    public async Task WriteAsync(EventId eventId, IReadOnlyList<QueuedJob> upserts, IReadOnlyList<JobRecord> ended, int historySize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historySize, 1);
        var db = await redis.DatabaseAsync();
        if (ended.Count > 0)
        {
            await EndAsync(db, eventId, upserts, ended, historySize);
            return;
        }
        if (upserts.Count == 0) return;
        var tx = db.CreateTransaction();
        var pending = tx.SetAddAsync(PendingKey(eventId), eventId.Value);
        // Straight to UTF-8 bytes: what Redis stores, without a UTF-16 string to encode on the way.
        var entries = new HashEntry[upserts.Count];
        for (var i = 0; i < entries.Length; i++) entries[i] = new HashEntry(upserts[i].JobId, StoredJobJson.Serialize(upserts[i]));
        var set = tx.HashSetAsync(JobsKey(eventId), entries);
        if (!await tx.ExecuteAsync()) throw new RedisException($"the job write of event '{eventId}' was not applied");
        await Task.WhenAll(pending, set);
        await redis.ConfirmReplicasAsync(JobsKey(eventId));
    }

    private async Task EndAsync(IDatabase db, EventId eventId, IReadOnlyList<QueuedJob> upserts, IReadOnlyList<JobRecord> ended, int historySize)
    {
        var args = new RedisValue[3 + upserts.Count * 2 + ended.Count * 3];
        args[0] = eventId.Value;
        args[1] = historySize;
        args[2] = upserts.Count;
        var a = 3;
        for (var i = 0; i < upserts.Count; i++)
        {
            args[a++] = upserts[i].JobId;
            args[a++] = StoredJobJson.Serialize(upserts[i]);
        }
        // Records older than the newest historySize of this write would be trimmed by it anyway; appended, a retry of
        // the write would find them gone and append them again as the newest.
        var firstKept = ended.Count - historySize;
        for (var i = 0; i < ended.Count; i++)
        {
            args[a++] = RedisHistoryKeys.RunKey(ended[i]);
            args[a++] = ended[i].JobId;
            args[a++] = i < firstKept ? RedisValue.EmptyString : System.Text.Json.JsonSerializer.Serialize(ended[i], ConvoJson.Options);
        }
        RedisKey[] keys = [JobsKey(eventId), PendingKey(eventId), redis.Keys.Runs(eventId), redis.Keys.RunRecords(eventId)];
        await db.ScriptEvaluateAsync(WriteScript, keys, args);
        await redis.ConfirmReplicasAsync(keys[0]);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QueuedJob>> LoadAsync(EventId eventId)
    {
        var db = await redis.DatabaseAsync();
        var entries = await db.HashGetAllAsync(JobsKey(eventId));
        var jobs = new List<QueuedJob>(entries.Length);
        foreach (var entry in entries)
        {
            if (StoredJobJson.Deserialize(entry.Name!, (byte[])entry.Value!) is { } job) jobs.Add(job);
        }
        return jobs;
    }

    /// <inheritdoc />
    public async Task<long> CountAsync(EventId eventId)
    {
        var db = await redis.DatabaseAsync();
        return await db.HashLengthAsync(JobsKey(eventId));
    }

    /// <inheritdoc />
    public async Task ClearAsync(EventId eventId)
    {
        var db = await redis.DatabaseAsync();
        var tx = db.CreateTransaction();
        _ = tx.KeyDeleteAsync(JobsKey(eventId));
        _ = tx.SetRemoveAsync(PendingKey(eventId), eventId.Value);
        await tx.ExecuteAsync();
    }

    /// <inheritdoc />
    public async Task ForgetIfEmptyAsync(EventId eventId)
    {
        var db = await redis.DatabaseAsync();
        await db.ScriptEvaluateAsync(ForgetScript, [JobsKey(eventId), PendingKey(eventId)], [eventId.Value]);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<EventId>> PendingEventsAsync()
    {
        var db = await redis.DatabaseAsync();
        // Every shard at once (pipelined over the one connection); each holds about 1/PendingShards of the events.
        var shards = await Task.WhenAll(Enumerable.Range(0, RedisKeys.PendingShards).Select(s => db.SetMembersAsync(redis.Keys.Pending(s))));
        return [.. shards.SelectMany(members => members).Select(member => new EventId(member!))];
    }
}
