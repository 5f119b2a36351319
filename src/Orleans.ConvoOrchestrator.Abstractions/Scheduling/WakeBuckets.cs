namespace Orleans.ConvoOrchestrator;

/// <summary>
/// Groups the wake-ups of far triggers into time buckets: one durable reminder per bucket instead of one per
/// trigger, since a bucket entry costs far less memory than a reminder (docs/adr/0007-wake-buckets.md). A bucket
/// is keyed by its start in Unix milliseconds, a whole multiple of its width; a wake-up time falls into the bucket
/// that starts at or before it, so triggers are woken early rather than late.
/// </summary>
public static class WakeBuckets
{
    /// <summary>The key of the bucket holding <paramref name="wakeAt"/>.</summary>
    public static long KeyFor(DateTimeOffset wakeAt, TimeSpan width)
    {
        if (width <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(width), width, "a bucket's width must be positive");
        var ms = wakeAt.ToUnixTimeMilliseconds();
        var w = (long)width.TotalMilliseconds;
        return ms - (((ms % w) + w) % w); // floor, also before 1970
    }

    /// <summary>When the bucket <paramref name="key"/> starts, that is when its triggers are woken.</summary>
    public static DateTimeOffset StartOf(long key) => DateTimeOffset.FromUnixTimeMilliseconds(key);

    /// <summary>The catalog listing the triggers to wake in bucket <paramref name="key"/>.</summary>
    public static string CatalogOf(long key) => "wake:" + key.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
