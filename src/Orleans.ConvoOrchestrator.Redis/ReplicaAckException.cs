namespace Orleans.ConvoOrchestrator.Redis;

/// <summary>
/// A job-store write reached the Redis master but fewer replicas than <see cref="ConvoRedisOptions.AckReplicas"/>
/// confirmed it within <see cref="ConvoRedisOptions.AckTimeout"/>: it is not counted as stored, yet the master keeps it.
/// </summary>
public sealed class ReplicaAckException : Exception
{
    /// <summary>Creates the exception for a write that <paramref name="confirmed"/> of <paramref name="wanted"/> replicas confirmed.</summary>
    public ReplicaAckException(long confirmed, int wanted, TimeSpan timeout)
        : base($"Redis confirmed the write on {confirmed} of {wanted} replica(s) within {timeout.TotalMilliseconds:0} ms (Convo:Redis:AckReplicas); " +
               "the master has it, but a failover now could lose it")
    {
        Confirmed = confirmed;
        Wanted = wanted;
    }

    /// <summary>Replicas that confirmed the write in time.</summary>
    public long Confirmed { get; }

    /// <summary>Replicas the write had to reach.</summary>
    public int Wanted { get; }
}
