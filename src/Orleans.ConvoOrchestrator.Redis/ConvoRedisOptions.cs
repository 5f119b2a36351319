namespace Orleans.ConvoOrchestrator.Redis;

/// <summary>
/// How the project's own Redis stores (jobs, histories, catalogs) write: the section <c>Convo:Redis</c> beside the
/// configuration string <c>Convo:Redis</c> itself (for example <c>Convo:Redis:AckReplicas=1</c>).
/// </summary>
public sealed class ConvoRedisOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "Convo:Redis";

    /// <summary>
    /// Replicas that must confirm every job-store write (an emit's acceptance, a delivery mark, a job's end) before it
    /// counts as stored: after the write the store sends <c>WAIT AckReplicas AckTimeout</c>. With 1 or more, an emit
    /// answered OK survives the loss of the master (a Sentinel or Cluster failover promotes a replica that has it).
    /// 0 (the default) waits for the master only; Redis then replicates asynchronously and a failover can lose the
    /// writes of the last moments.
    /// </summary>
    public int AckReplicas { get; set; }

    /// <summary>How long a write waits for <see cref="AckReplicas"/> confirmations before it fails.</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The problems with these options (each names the property and what it allows), empty when usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (AckReplicas < 0) yield return $"{nameof(AckReplicas)} must be 0 (no replica waited for) or more (got {AckReplicas})";
        if (AckTimeout < TimeSpan.FromMilliseconds(1) || AckTimeout > TimeSpan.FromMinutes(10))
            yield return $"{nameof(AckTimeout)} must be from 00:00:00.001 to 00:10:00 (got {AckTimeout})";
    }
}
