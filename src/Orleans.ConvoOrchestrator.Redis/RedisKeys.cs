using System.Globalization;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Redis;

/// <summary>
/// The names of the project's own Redis keys. Every key a write or script touches together shares one hash tag (the
/// part in braces), so on a Redis Cluster they live in one slot: an event's job hash, its history's two keys and the
/// pending-events set of its shard carry the tag <c>{jN}</c> (N = the event id's stable hash modulo
/// <see cref="PendingShards"/>); a catalog's two keys carry its name, <c>{events}</c>. On a single Redis the tags change
/// nothing but the names. Before this layout the keys had no tags and one pending set (<see cref="RedisKeyMigration"/>
/// moves such data once).
/// </summary>
/// <param name="prefix">What every key starts with: the service id and <c>:convo:</c>.</param>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>
    /// Shards of the pending-events set. Each is one slot of a Cluster, so the events with stored jobs spread over
    /// the masters (1,024 tags over 16,384 slots: even enough for up to ~100 masters); a sweep reads every shard.
    /// </summary>
    public const int PendingShards = 1024;

    /// <summary>What every key starts with.</summary>
    public string Prefix { get; } = prefix;

    /// <summary>The shard of an event's keys (0 to <see cref="PendingShards"/> - 1).</summary>
    public static int ShardOf(EventId eventId) => (int)(StableHash.Of(eventId.Value) % PendingShards);

    /// <summary>The hash of an event's stored jobs (field: job id).</summary>
    public RedisKey Jobs(EventId eventId) => Tagged(ShardOf(eventId)) + "jobs:" + eventId.Value;

    /// <summary>
    /// The key holding the token of the activation that owns an event's jobs (the only one whose job writes are stored);
    /// beside the job hash, under its tag, so a script can check it with the writes it fences.
    /// </summary>
    public RedisKey Owner(EventId eventId) => Tagged(ShardOf(eventId)) + "owner:" + eventId.Value;

    /// <summary>The set of the events of <paramref name="shard"/> that may have stored jobs.</summary>
    public RedisKey Pending(int shard) => Tagged(shard) + "jobs-pending";

    /// <summary>The set listing an event while it may have stored jobs (the one of its shard).</summary>
    public RedisKey Pending(EventId eventId) => Pending(ShardOf(eventId));

    /// <summary>The sorted set of an event's run keys, in append order.</summary>
    public RedisKey Runs(EventId eventId) => Tagged(ShardOf(eventId)) + "runs:" + eventId.Value;

    /// <summary>The hash of an event's run records by run key.</summary>
    public RedisKey RunRecords(EventId eventId) => Tagged(ShardOf(eventId)) + "run-records:" + eventId.Value;

    /// <summary>The key that holds which job claimed an idempotency key of an event (it expires with the claim).</summary>
    public RedisKey Claim(EventId eventId, string idempotencyKey) => Tagged(ShardOf(eventId)) + "idem:" + eventId.Value + ":" + idempotencyKey;

    /// <summary>The sorted set of an event's claim keys by the end of their window (so a removal finds them).</summary>
    public RedisKey ClaimIndex(EventId eventId) => Tagged(ShardOf(eventId)) + "idem-index:" + eventId.Value;

    /// <summary>The hash of an event's failed jobs (field: job id).</summary>
    public RedisKey Failed(EventId eventId) => Tagged(ShardOf(eventId)) + "failed:" + eventId.Value;

    /// <summary>The sorted set of an event's failed job ids by time of failure.</summary>
    public RedisKey FailedOrder(EventId eventId) => Tagged(ShardOf(eventId)) + "failed-order:" + eventId.Value;

    /// <summary>The set of the events of <paramref name="shard"/> that may have failed jobs.</summary>
    public RedisKey FailedEvents(int shard) => Tagged(shard) + "failed-events";

    /// <summary>The set listing an event while it may have failed jobs (the one of its shard).</summary>
    public RedisKey FailedEvents(EventId eventId) => FailedEvents(ShardOf(eventId));

    /// <summary>A catalog's sorted set of ids.</summary>
    public RedisKey CatalogIds(string catalog) => Prefix + "catalog:{" + catalog + "}";

    /// <summary>A catalog's hash of id to definition JSON.</summary>
    public RedisKey CatalogJson(string catalog) => Prefix + "catalog:{" + catalog + "}:json";

    /// <summary>The key that records which layout the keys of this prefix follow (absent before this layout).</summary>
    public RedisKey Layout => Prefix + "layout";

    private string Tagged(int shard) => Prefix + "{j" + shard.ToString(CultureInfo.InvariantCulture) + "}:";
}
