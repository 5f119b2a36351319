namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>
/// One bucket of far trigger wake-ups (key = <see cref="WakeBuckets.KeyFor"/>): the triggers listed in its catalog
/// (<see cref="WakeBuckets.CatalogOf"/>) are woken when it starts, by one durable reminder for the whole bucket.
/// </summary>
[Alias("convo.IWakeBucketGrain")]
public interface IWakeBucketGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Makes sure the bucket's reminder is registered; a trigger calls it after storing its entry. Returns once the
    /// reminder is durable.
    /// </summary>
    [Alias("Ensure")] Task EnsureAsync();
}
