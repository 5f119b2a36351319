namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class WakeBucketsTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void A_wake_up_falls_into_the_bucket_that_starts_at_or_before_it()
    {
        var at = new DateTimeOffset(2026, 11, 27, 2, 59, 50, 123, TimeSpan.Zero);
        var key = WakeBuckets.KeyFor(at, Minute);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 2, 59, 0, TimeSpan.Zero), WakeBuckets.StartOf(key));
        Assert.Equal(key, WakeBuckets.KeyFor(WakeBuckets.StartOf(key), Minute)); // a bucket's start is in it
        Assert.Equal(key + 60_000, WakeBuckets.KeyFor(WakeBuckets.StartOf(key) + Minute, Minute));
        Assert.Equal(key, WakeBuckets.KeyFor(WakeBuckets.StartOf(key) + Minute - TimeSpan.FromMilliseconds(1), Minute));
    }

    [Fact]
    public void Offsets_do_not_move_a_wake_up_to_another_bucket_and_times_before_1970_floor_too()
    {
        var utc = new DateTimeOffset(2026, 3, 29, 0, 30, 15, TimeSpan.Zero);
        Assert.Equal(WakeBuckets.KeyFor(utc, Minute), WakeBuckets.KeyFor(utc.ToOffset(TimeSpan.FromHours(2)), Minute));
        var before = new DateTimeOffset(1969, 12, 31, 23, 59, 30, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(1969, 12, 31, 23, 59, 0, TimeSpan.Zero), WakeBuckets.StartOf(WakeBuckets.KeyFor(before, Minute)));
    }

    [Fact]
    public void Each_bucket_has_its_own_catalog_and_a_width_must_be_positive()
    {
        Assert.Equal("wake:60000", WakeBuckets.CatalogOf(60_000));
        Assert.NotEqual(WakeBuckets.CatalogOf(0), WakeBuckets.CatalogOf(60_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => WakeBuckets.KeyFor(DateTimeOffset.UnixEpoch, TimeSpan.Zero));
    }
}
