using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class RedisKeysTests
{
    private static readonly RedisKeys Keys = new("svc:convo:");

    // The hash tag Redis Cluster hashes: the text between the first '{' and the next '}'.
    private static string Tag(string key)
    {
        var open = key.IndexOf('{');
        var close = key.IndexOf('}', open + 1);
        return key[(open + 1)..close];
    }

    [Fact]
    public void Every_key_one_write_touches_for_an_event_carries_the_same_hash_tag()
    {
        var ev = new EventId("ev-orders");
        var tags = new[] { Keys.Jobs(ev), Keys.Pending(ev), Keys.Runs(ev), Keys.RunRecords(ev) }.Select(k => Tag(k.ToString())).Distinct().ToList();

        Assert.Equal(["j" + RedisKeys.ShardOf(ev)], tags);
        Assert.Equal("svc:convo:{j" + RedisKeys.ShardOf(ev) + "}:jobs:ev-orders", Keys.Jobs(ev).ToString());
    }

    [Fact]
    public void A_catalogs_two_keys_share_its_name_as_their_tag() =>
        Assert.Equal(["wake:1700000000000"], new[] { Keys.CatalogIds("wake:1700000000000"), Keys.CatalogJson("wake:1700000000000") }.Select(k => Tag(k.ToString())).Distinct());

    [Fact]
    public void Events_spread_over_the_pending_shards()
    {
        var shards = Enumerable.Range(0, 10_000).Select(i => RedisKeys.ShardOf(new EventId("ev-" + i))).ToList();

        Assert.All(shards, s => Assert.InRange(s, 0, RedisKeys.PendingShards - 1));
        // 10,000 events over 1,024 shards: about 10 each; none empty, none with more than three times that.
        var counts = shards.GroupBy(s => s).Select(g => g.Count()).ToList();
        Assert.Equal(RedisKeys.PendingShards, counts.Count);
        Assert.True(counts.Max() < 30, $"the fullest shard has {counts.Max()} events");
    }
}
