namespace Orleans.ConvoOrchestrator.Redis;

/// <summary>
/// Where an event's history lives in Redis: a sorted set of run keys (<c>{jobId}/{delivery}</c>) scored in append
/// order, and a hash from run key to the record's JSON (<see cref="RedisKeys.Runs"/>, <see cref="RedisKeys.RunRecords"/>).
/// Keyed by run, an append retried after a lost answer finds its records already there and lists none twice. Written
/// by <see cref="RedisJobStore"/> (with the job records it deletes), read by <see cref="RedisHistoryStore"/>.
/// </summary>
internal static class RedisHistoryKeys
{
    /// <summary>A run's key: the job id and its delivery.</summary>
    public static string RunKey(JobRecord record) => record.JobId + "/" + record.Outcome.Delivery.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
