using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>The memory catalog's ids: ordinal order whatever the order of inserts, merged in passes.</summary>
public sealed class SortedIdsTests
{
    [Fact]
    public void Ids_added_in_any_order_list_in_ordinal_order_across_merges()
    {
        var ids = new SortedIds();
        var all = Enumerable.Range(0, 5_000).Select(i => $"id-{(i * 7919) % 5_000}").ToList();
        for (var i = 0; i < all.Count; i++)
        {
            ids.AddNew(all[i]);
            if (i == 2_500) Assert.Equal(all.Take(2_501).Order(StringComparer.Ordinal).Take(3), ids.After(null, 3)); // a read between inserts
        }
        Assert.Equal(5_000, ids.Count);
        Assert.Equal(all.Order(StringComparer.Ordinal), ids.After(null, int.MaxValue));
    }

    [Fact]
    public void Pages_start_after_the_given_id_whether_or_not_it_is_there()
    {
        var ids = new SortedIds();
        foreach (var id in new[] { "c", "a", "e", "b" }) ids.AddNew(id);
        Assert.Equal(["c", "e"], ids.After("b", 10));
        Assert.Equal(["c"], ids.After("bb", 1));
        Assert.Empty(ids.After("z", 10));
        Assert.Empty(ids.After(null, 0));
    }

    [Fact]
    public void Removes_find_ids_merged_or_still_waiting()
    {
        var ids = new SortedIds();
        for (var i = 0; i < 100; i++) ids.AddNew($"m{i:D3}"); // past the first merge
        ids.AddNew("w");
        Assert.True(ids.Remove("m050"));
        Assert.True(ids.Remove("w"));
        Assert.False(ids.Remove("w"));
        Assert.Equal(99, ids.Count);
        Assert.DoesNotContain("m050", ids.After(null, 200));
    }
}
