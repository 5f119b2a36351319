using Orleans.ConvoOrchestrator.Runtime.Grains;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// Job queues in Redis: one hash per event (field = job id, value = the job as compact JSON, <see cref="StoredJobJson"/>)
/// and one set listing the events that have jobs. A write is one MULTI/EXEC, so a batch of accepted jobs costs one
/// round trip and, with <c>appendfsync always</c>, shares one fsync with everything else Redis received meanwhile.
/// </summary>
public sealed class RedisJobStore(RedisConnection redis) : IJobStore
{
    // Unlists the event only if its hash is empty, atomically with respect to concurrent writes.
    private const string ForgetScript = "if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end return 0";

    private RedisKey PendingKey => redis.KeyPrefix + "jobs-pending";

    private RedisKey JobsKey(EventId eventId) => redis.KeyPrefix + "jobs:" + eventId.Value;

    /// <inheritdoc />
    public bool IsDurable => true;

    /// <inheritdoc />
    public async Task WriteAsync(EventId eventId, IReadOnlyList<QueuedJob> upserts, IReadOnlyList<string> removals)
    {
        var db = await redis.DatabaseAsync();
        var tx = db.CreateTransaction();
        var key = JobsKey(eventId);
        var pending = Task.CompletedTask;
        var set = Task.CompletedTask;
        var delete = Task.CompletedTask;
        if (upserts.Count > 0)
        {
            pending = tx.SetAddAsync(PendingKey, eventId.Value);
            // Straight to UTF-8 bytes: what Redis stores, without a UTF-16 string to encode on the way.
            var entries = new HashEntry[upserts.Count];
            for (var i = 0; i < entries.Length; i++) entries[i] = new HashEntry(upserts[i].JobId, StoredJobJson.Serialize(upserts[i]));
            set = tx.HashSetAsync(key, entries);
        }
        if (removals.Count > 0)
        {
            var fields = new RedisValue[removals.Count];
            for (var i = 0; i < fields.Length; i++) fields[i] = removals[i];
            delete = tx.HashDeleteAsync(key, fields);
        }
        if (!await tx.ExecuteAsync()) throw new RedisException($"the job write of event '{eventId}' was not applied");
        await Task.WhenAll(pending, set, delete);
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
        _ = tx.SetRemoveAsync(PendingKey, eventId.Value);
        await tx.ExecuteAsync();
    }

    /// <inheritdoc />
    public async Task ForgetIfEmptyAsync(EventId eventId)
    {
        var db = await redis.DatabaseAsync();
        await db.ScriptEvaluateAsync(ForgetScript, [JobsKey(eventId), PendingKey], [eventId.Value]);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<EventId>> PendingEventsAsync()
    {
        var db = await redis.DatabaseAsync();
        var ids = new List<EventId>();
        await foreach (var member in db.SetScanAsync(PendingKey, pageSize: 1000)) ids.Add(new EventId(member!));
        return ids;
    }
}
