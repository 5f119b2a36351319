using Orleans.ConvoOrchestrator.Runtime.Grains;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Redis;

/// <summary>
/// Job queues in Redis: one hash per event (field = job id, value = the job as compact JSON, <see cref="StoredJobJson"/>)
/// and one set listing the events that have jobs. A write without ended jobs (accepts, delivery marks) is one
/// MULTI/EXEC, so a batch of accepted jobs costs one round trip and, with <c>appendfsync always</c>, shares one fsync
/// with everything else Redis received meanwhile. A write that ends jobs is one script that also deletes their records
/// and appends their outcomes to the history (<see cref="RedisHistoryKeys"/>), so an outcome is stored exactly when its
/// job's record goes, and a retried write lists no run twice. The keys of one write share a hash tag
/// (<see cref="RedisKeys"/>): the pending set is sharded, one shard per tag. With
/// <see cref="ConvoRedisOptions.AckReplicas"/> a write completes only once that many replicas confirmed it.
/// Every write that changes an event's jobs is a script that first compares the writer's token with the event's owner
/// key (<see cref="RedisKeys.Owner"/>, under the same tag) and stores nothing when they differ
/// (docs/adr/0013-fence-job-writes.md).
/// </summary>
/// <param name="redis">The connection.</param>
/// <param name="retention">How much of each failed list is kept.</param>
internal sealed class RedisJobStore(RedisConnection redis, FailedJobRetention retention) : IJobStore
{
    // What a fenced script answers when the writer's token is not the owner's (an error reply, which Redis prefixes with
    // "ERR "; nothing was written).
    private const string FencedReply = "CONVO-FENCED";

    // KEYS: jobs hash, pending set, owner. ARGV: event id, owner token or ''. Unlists the event only if its hash is
    // empty, atomically with respect to concurrent writes; gives up the ownership if the token still holds it.
    private const string ForgetScript = """
        if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
        if ARGV[2] ~= '' and redis.call('GET', KEYS[3]) == ARGV[2] then redis.call('DEL', KEYS[3]) end
        return 0
        """;

    // KEYS: jobs hash, owner. ARGV: the new owner's token. Takes the event over, then reads its jobs (name, value, ...).
    private const string TakeOverScript = "redis.call('SET', KEYS[2], ARGV[1]) return redis.call('HGETALL', KEYS[1])";

    // KEYS: jobs hash, pending set, owner. ARGV: event id, owner token or '', then (job id, json) per job.
    private const string UpsertScript = """
        if ARGV[2] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[2] then return redis.error_reply('CONVO-FENCED') end
        redis.call('SADD', KEYS[2], ARGV[1])
        for s = 3, #ARGV, 4000 do redis.call('HSET', KEYS[1], unpack(ARGV, s, math.min(s + 3999, #ARGV))) end
        return 0
        """;

    // KEYS: jobs hash, pending set, history order, history records, failed hash, failed order, failed events, owner. ARGV:
    // event id, history size, upsert count, failed kept, failed max age (ms), now (ms), owner token or '', the upserts as
    // (job id, json), then the
    // ended as (run key, job id, record json or '' when it would be trimmed anyway, failed record json or '' unless it
    // failed, its end in ms). A failed job's entry is its record and its stored job, joined by a line break.
    // One variadic command per step, not one per job: a call from Lua costs Redis several times the work it does, and
    // the script runs on Redis's only thread while every other write waits (docs/adr/0010-redis-write-script.md).
    private const string WriteScript = """
        local function each(cmd, key, list)
          for s = 1, #list, 4000 do redis.call(cmd, key, unpack(list, s, math.min(s + 3999, #list))) end
        end
        if ARGV[7] ~= '' and redis.call('GET', KEYS[8]) ~= ARGV[7] then return redis.error_reply('CONVO-FENCED') end
        local n = tonumber(ARGV[3])
        local i = 8 + 2 * n
        if n > 0 then
          redis.call('SADD', KEYS[2], ARGV[1])
          for s = 8, i - 1, 4000 do redis.call('HSET', KEYS[1], unpack(ARGV, s, math.min(s + 3999, i - 1))) end
        end
        local gone, runs, records = {}, {}, {}
        local failed = false
        while i <= #ARGV do
          if ARGV[i + 3] ~= '' then
            local job = redis.call('HGET', KEYS[1], ARGV[i + 1])
            if job then
              redis.call('HSET', KEYS[5], ARGV[i + 1], ARGV[i + 3] .. '\n' .. job)
              redis.call('ZADD', KEYS[6], ARGV[i + 4], ARGV[i + 1])
              failed = true
            end
          end
          gone[#gone + 1] = ARGV[i + 1]
          if ARGV[i + 2] ~= '' then
            runs[#runs + 1] = ARGV[i]
            records[#records + 1] = ARGV[i + 2]
          end
          i = i + 5
        end
        each('HDEL', KEYS[1], gone)
        -- A run already listed (a retried write) is not listed again, nor one named twice in this write.
        local fresh, order, seen = {}, {}, {}
        local top = nil
        for s = 1, #runs, 4000 do
          local have = redis.call('HMGET', KEYS[4], unpack(runs, s, math.min(s + 3999, #runs)))
          for j = 1, #have do
            local run = runs[s + j - 1]
            if not have[j] and not seen[run] then
              seen[run] = true
              if top == nil then
                local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
                top = last[2] and tonumber(last[2]) or 0
              end
              top = top + 1
              fresh[#fresh + 1] = run
              fresh[#fresh + 1] = records[s + j - 1]
              order[#order + 1] = top
              order[#order + 1] = run
            end
          end
        end
        each('HSET', KEYS[4], fresh)
        each('ZADD', KEYS[3], order)
        if failed then
          redis.call('SADD', KEYS[7], ARGV[1])
          local old = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', '(' .. (tonumber(ARGV[6]) - tonumber(ARGV[5])))
          if #old > 0 then
            each('HDEL', KEYS[5], old)
            each('ZREM', KEYS[6], old)
          end
          local over = redis.call('ZCARD', KEYS[6]) - tonumber(ARGV[4])
          if over > 0 then
            each('HDEL', KEYS[5], redis.call('ZRANGE', KEYS[6], 0, over - 1))
            redis.call('ZREMRANGEBYRANK', KEYS[6], 0, over - 1)
          end
        end
        local keep = tonumber(ARGV[2])
        local count = redis.call('ZCARD', KEYS[3])
        if count > keep then
          each('HDEL', KEYS[4], redis.call('ZRANGE', KEYS[3], 0, count - keep - 1))
          redis.call('ZREMRANGEBYRANK', KEYS[3], 0, count - keep - 1)
        end
        return 0
        """;

    // KEYS: jobs hash, pending set, claim index, owner. ARGV: event id, now (ms), owner token or '', then per keyed job
    // (claim key, job id, json,
    // key window in ms, claim end in ms). A job not stored yet whose key another job holds is refused (answered as job
    // id, holder); otherwise it is stored and, unless it holds the key already, takes it for its window. The index
    // (claim key by end) lets ClearAsync find an event's claims; ended ones leave it here. Returns the refused, flat.
    private const string ClaimScript = """
        if ARGV[3] ~= '' and redis.call('GET', KEYS[4]) ~= ARGV[3] then return redis.error_reply('CONVO-FENCED') end
        local refused = {}
        local stored = false
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[2])
        local i = 4
        while i <= #ARGV do
          local held = redis.call('GET', ARGV[i])
          if held and held ~= ARGV[i + 1] and redis.call('HEXISTS', KEYS[1], ARGV[i + 1]) == 0 then
            refused[#refused + 1] = ARGV[i + 1]
            refused[#refused + 1] = held
          else
            if not held then
              redis.call('SET', ARGV[i], ARGV[i + 1], 'PX', ARGV[i + 3])
              redis.call('ZADD', KEYS[3], ARGV[i + 4], ARGV[i])
            end
            redis.call('HSET', KEYS[1], ARGV[i + 1], ARGV[i + 2])
            stored = true
          end
          i = i + 5
        end
        if stored then redis.call('SADD', KEYS[2], ARGV[1]) end
        return refused
        """;

    // KEYS: jobs hash, pending set, claim index, failed hash, failed order, failed events, owner. ARGV: event id, owner
    // token or ''. Deletes an event's jobs, its claims (named by the index, under the same tag) and its failed list, and
    // unlists it; the owner stays.
    private const string ClearScript = """
        if ARGV[2] ~= '' and redis.call('GET', KEYS[7]) ~= ARGV[2] then return redis.error_reply('CONVO-FENCED') end
        local claims = redis.call('ZRANGE', KEYS[3], 0, -1)
        for _, k in ipairs(claims) do redis.call('DEL', k) end
        redis.call('DEL', KEYS[1], KEYS[3], KEYS[4], KEYS[5])
        redis.call('SREM', KEYS[2], ARGV[1])
        redis.call('SREM', KEYS[6], ARGV[1])
        return #claims
        """;

    private static readonly IReadOnlyList<KeyConflict> NoneRefused = [];

    // KEYS: jobs hash, pending set, failed hash, failed order, owner. ARGV: event id, owner token or '', then (job id,
    // json) per job. Each job whose failed entry is there is stored and its entry deleted; returns the ids moved.
    private const string RequeueScript = """
        if ARGV[2] ~= '' and redis.call('GET', KEYS[5]) ~= ARGV[2] then return redis.error_reply('CONVO-FENCED') end
        local moved = {}
        for i = 3, #ARGV, 2 do
          if redis.call('HDEL', KEYS[3], ARGV[i]) == 1 then
            redis.call('ZREM', KEYS[4], ARGV[i])
            redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
            moved[#moved + 1] = ARGV[i]
          end
        end
        if #moved > 0 then redis.call('SADD', KEYS[2], ARGV[1]) end
        return moved
        """;

    private RedisKey PendingKey(EventId eventId) => redis.Keys.Pending(eventId);

    private RedisKey JobsKey(EventId eventId) => redis.Keys.Jobs(eventId);

    /// <inheritdoc />
    public async Task<IReadOnlyList<KeyConflict>> WriteAsync(EventId eventId, IReadOnlyList<QueuedJob> upserts, IReadOnlyList<JobRecord> ended, int historySize,
        string? owner = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historySize, 1);
        var db = await redis.DatabaseAsync();
        var refused = NoneRefused;
        // Jobs with idempotency keys first, each stored atomically with its key claim; a failure fails the whole write,
        // which is safe to repeat (a job holding its key is stored again, not refused).
        if (HasKeys(upserts)) (refused, upserts) = await ClaimAsync(db, eventId, upserts, owner);
        if (ended.Count > 0)
        {
            await EndAsync(db, eventId, upserts, ended, historySize, owner);
            return refused;
        }
        if (upserts.Count == 0) return refused;
        // A script, not a MULTI: the owner check and the writes it fences must be one atomic step, and a MULTI's
        // condition would hold the shared connection's pipeline for a round trip (WATCH, GET, then EXEC).
        await FencedAsync(db, eventId, UpsertScript, [JobsKey(eventId), PendingKey(eventId), redis.Keys.Owner(eventId)], EventOwnerAndJobs(eventId, owner, upserts));
        await redis.ConfirmReplicasAsync(JobsKey(eventId));
        return refused;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QueuedJob>> TakeOverAsync(EventId eventId, string owner)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var db = await redis.DatabaseAsync();
        var entries = (RedisResult[])(await db.ScriptEvaluateAsync(TakeOverScript, [JobsKey(eventId), redis.Keys.Owner(eventId)], [owner]))!;
        // Confirmed like a write: a replica promoted without the new token would let the old owner write again.
        await redis.ConfirmReplicasAsync(JobsKey(eventId));
        var jobs = new List<QueuedJob>(entries.Length / 2);
        for (var i = 0; i + 1 < entries.Length; i += 2)
        {
            if (StoredJobJson.Deserialize((string)entries[i]!, (byte[])entries[i + 1]!) is { } job) jobs.Add(job);
        }
        return jobs;
    }

    // A fenced script's arguments: the event id, the owner token ('' for none), then (job id, stored JSON) per job,
    // straight to UTF-8 bytes: what Redis stores, without a UTF-16 string to encode on the way.
    private static RedisValue[] EventOwnerAndJobs(EventId eventId, string? owner, IReadOnlyList<QueuedJob> jobs)
    {
        var args = new RedisValue[2 + jobs.Count * 2];
        args[0] = eventId.Value;
        args[1] = owner ?? RedisValue.EmptyString;
        for (var i = 0; i < jobs.Count; i++)
        {
            args[2 + i * 2] = jobs[i].JobId;
            args[3 + i * 2] = StoredJobJson.Serialize(jobs[i]);
        }
        return args;
    }

    // Runs a fenced script; its refusal becomes JobOwnershipLostException, which a caller must not retry.
    private static async Task<RedisResult> FencedAsync(IDatabase db, EventId eventId, string script, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await db.ScriptEvaluateAsync(script, keys, args);
        }
        catch (RedisServerException ex) when (ex.Message.Contains(FencedReply, StringComparison.Ordinal))
        {
            throw new JobOwnershipLostException(eventId);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> HeldKeysAsync(EventId eventId, IReadOnlyList<string> keys, DateTimeOffset now)
    {
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keys.Count == 0) return held;
        var db = await redis.DatabaseAsync();
        // A claim's key expires with its window (Redis's clock), so what is there is held. One MGET: the claim keys of an
        // event share its hash tag.
        var values = await db.StringGetAsync(keys.Select(k => redis.Keys.Claim(eventId, k)).ToArray());
        for (var i = 0; i < values.Length; i++)
        {
            if (!values[i].IsNull) held[keys[i]] = (string)values[i]!;
        }
        return held;
    }

    private static bool HasKeys(IReadOnlyList<QueuedJob> upserts)
    {
        for (var i = 0; i < upserts.Count; i++)
        {
            if (upserts[i].IdempotencyKey is not null) return true;
        }
        return false;
    }

    // Stores the keyed upserts with their claims; returns what was refused and the upserts without a key.
    private async Task<(IReadOnlyList<KeyConflict> Refused, IReadOnlyList<QueuedJob> Unkeyed)> ClaimAsync(IDatabase db, EventId eventId, IReadOnlyList<QueuedJob> upserts,
        string? owner)
    {
        var rest = new List<QueuedJob>(upserts.Count);
        var args = new List<RedisValue> { eventId.Value, 0, owner ?? RedisValue.EmptyString };
        var now = long.MaxValue;
        foreach (var job in upserts)
        {
            if (job.IdempotencyKey is not { } key)
            {
                rest.Add(job);
                continue;
            }
            var until = job.IdempotentUntil ?? job.EnqueuedAt;
            now = Math.Min(now, job.EnqueuedAt.ToUnixTimeMilliseconds());
            args.Add((string)redis.Keys.Claim(eventId, key)!);
            args.Add(job.JobId);
            args.Add(StoredJobJson.Serialize(job));
            args.Add(Math.Max(1L, (long)Math.Ceiling((until - job.EnqueuedAt).TotalMilliseconds)));
            args.Add(until.ToUnixTimeMilliseconds());
        }
        args[1] = now;
        var answer = (RedisResult[])(await FencedAsync(db, eventId, ClaimScript,
            [JobsKey(eventId), PendingKey(eventId), redis.Keys.ClaimIndex(eventId), redis.Keys.Owner(eventId)], [.. args]))!;
        await redis.ConfirmReplicasAsync(JobsKey(eventId));
        if (answer.Length == 0) return (NoneRefused, rest);
        var refused = new List<KeyConflict>(answer.Length / 2);
        for (var i = 0; i + 1 < answer.Length; i += 2) refused.Add(new KeyConflict((string)answer[i]!, (string)answer[i + 1]!));
        return (refused, rest);
    }

    private async Task EndAsync(IDatabase db, EventId eventId, IReadOnlyList<QueuedJob> upserts, IReadOnlyList<JobRecord> ended, int historySize,
        string? owner)
    {
        var args = new RedisValue[7 + upserts.Count * 2 + ended.Count * 5];
        args[0] = eventId.Value;
        args[1] = historySize;
        args[2] = upserts.Count;
        args[3] = retention.Kept;
        args[4] = (long)retention.MaxAge.TotalMilliseconds;
        var now = long.MinValue;
        for (var i = 0; i < ended.Count; i++) now = Math.Max(now, ended[i].Outcome.FinishedAt.ToUnixTimeMilliseconds());
        args[5] = now;
        args[6] = owner ?? RedisValue.EmptyString;
        var a = 7;
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
            var json = ended[i].Outcome.Status == JobStatus.ERR || i >= firstKept ? System.Text.Json.JsonSerializer.Serialize(ended[i], ConvoJson.Options) : null;
            args[a++] = i < firstKept ? RedisValue.EmptyString : json;
            args[a++] = ended[i].Outcome.Status == JobStatus.ERR && retention.Kept > 0 ? json : RedisValue.EmptyString;
            args[a++] = ended[i].Outcome.FinishedAt.ToUnixTimeMilliseconds();
        }
        RedisKey[] keys = [JobsKey(eventId), PendingKey(eventId), redis.Keys.Runs(eventId), redis.Keys.RunRecords(eventId),
            redis.Keys.Failed(eventId), redis.Keys.FailedOrder(eventId), redis.Keys.FailedEvents(eventId), redis.Keys.Owner(eventId)];
        await FencedAsync(db, eventId, WriteScript, keys, args);
        await redis.ConfirmReplicasAsync(keys[0]);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FailedJob>> LoadFailedAsync(EventId eventId, int limit)
    {
        if (limit <= 0) return [];
        var db = await redis.DatabaseAsync();
        var ids = await db.SortedSetRangeByRankAsync(redis.Keys.FailedOrder(eventId), 0, limit - 1, Order.Descending);
        if (ids.Length == 0) return [];
        var values = await db.HashGetAsync(redis.Keys.Failed(eventId), ids);
        var failed = new List<FailedJob>(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            if (values[i].IsNull) continue;
            var text = (string)values[i]!;
            var cut = text.IndexOf('\n');
            var record = System.Text.Json.JsonSerializer.Deserialize<JobRecord>(text.AsSpan(0, cut), ConvoJson.Options)!;
            var job = StoredJobJson.Deserialize(ids[i]!, System.Text.Encoding.UTF8.GetBytes(text[(cut + 1)..]))!;
            failed.Add(new FailedJob(eventId, job.JobId, job.PayloadJson, job.TriggerId, job.CorrelationId, job.EnqueuedAt, job.ScheduledAt, record.Outcome, job.IsBackfill));
        }
        return failed;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<EventId>> EventsWithFailedAsync()
    {
        var db = await redis.DatabaseAsync();
        var ids = new List<EventId>();
        // Every shard at once (pipelined over the one connection), as for the pending events.
        var shards = await Task.WhenAll(Enumerable.Range(0, RedisKeys.PendingShards).Select(s => db.SetMembersAsync(redis.Keys.FailedEvents(s))));
        var listed = shards.SelectMany(members => members).Select(member => new EventId(member!)).ToList();
        var lengths = await Task.WhenAll(listed.Select(eventId => db.SortedSetLengthAsync(redis.Keys.FailedOrder(eventId))));
        for (var i = 0; i < listed.Count; i++)
        {
            if (lengths[i] > 0) ids.Add(listed[i]);
        }
        return ids;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> RequeueFailedAsync(EventId eventId, IReadOnlyList<QueuedJob> jobs, string? owner = null)
    {
        if (jobs.Count == 0) return [];
        var db = await redis.DatabaseAsync();
        var args = EventOwnerAndJobs(eventId, owner, jobs);
        var moved = (RedisResult[])(await FencedAsync(db, eventId, RequeueScript,
            [JobsKey(eventId), PendingKey(eventId), redis.Keys.Failed(eventId), redis.Keys.FailedOrder(eventId), redis.Keys.Owner(eventId)], args))!;
        return moved.Select(m => (string)m!).ToList();
    }

    /// <inheritdoc />
    public async Task<int> DiscardFailedAsync(EventId eventId, IReadOnlyList<string>? jobIds)
    {
        var db = await redis.DatabaseAsync();
        if (jobIds is null)
        {
            var count = (int)await db.SortedSetLengthAsync(redis.Keys.FailedOrder(eventId));
            await db.KeyDeleteAsync([redis.Keys.Failed(eventId), redis.Keys.FailedOrder(eventId)]);
            return count;
        }
        if (jobIds.Count == 0) return 0;
        var members = jobIds.Select(id => (RedisValue)id).ToArray();
        var discard = db.CreateTransaction();
        var removed = discard.HashDeleteAsync(redis.Keys.Failed(eventId), members);
        _ = discard.SortedSetRemoveAsync(redis.Keys.FailedOrder(eventId), members);
        await discard.ExecuteAsync();
        return (int)await removed;
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
    public async Task ClearAsync(EventId eventId, string? owner = null)
    {
        var db = await redis.DatabaseAsync();
        // The event's idempotency keys and failed list go too: a new event of the same id starts afresh.
        await FencedAsync(db, eventId, ClearScript,
            [JobsKey(eventId), PendingKey(eventId), redis.Keys.ClaimIndex(eventId), redis.Keys.Failed(eventId), redis.Keys.FailedOrder(eventId),
                redis.Keys.FailedEvents(eventId), redis.Keys.Owner(eventId)],
            [eventId.Value, owner ?? RedisValue.EmptyString]);
    }

    /// <inheritdoc />
    public async Task ForgetIfEmptyAsync(EventId eventId, string? owner = null)
    {
        var db = await redis.DatabaseAsync();
        await db.ScriptEvaluateAsync(ForgetScript, [JobsKey(eventId), PendingKey(eventId), redis.Keys.Owner(eventId)], [eventId.Value, owner ?? RedisValue.EmptyString]);
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
