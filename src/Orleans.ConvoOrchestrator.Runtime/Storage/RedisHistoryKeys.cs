using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// Where an event's history lives in Redis: a sorted set of run keys (<c>{jobId}/{delivery}</c>) scored in append
/// order, and a hash from run key to the record's JSON. Keyed by run, an append retried after a lost answer finds its
/// records already there and lists none twice. Written by <see cref="RedisJobStore"/> (with the job records it
/// deletes), read by <see cref="RedisHistoryStore"/>.
/// </summary>
internal static class RedisHistoryKeys
{
    /// <summary>The sorted set of run keys.</summary>
    public static RedisKey Order(RedisConnection redis, EventId eventId) => redis.KeyPrefix + "runs:" + eventId.Value;

    /// <summary>The hash of records by run key.</summary>
    public static RedisKey Records(RedisConnection redis, EventId eventId) => redis.KeyPrefix + "run-records:" + eventId.Value;

    /// <summary>A run's key: the job id and its delivery.</summary>
    public static string RunKey(JobRecord record) => record.JobId + "/" + record.Outcome.Delivery.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
