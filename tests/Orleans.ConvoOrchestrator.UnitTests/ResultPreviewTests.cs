using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class ResultPreviewTests
{
    [Fact]
    public void Null_stays_null_and_short_strings_stay_as_they_are()
    {
        Assert.Null(ResultPreview.From(null));
        Assert.Equal("done", ResultPreview.From("done"));
        Assert.Equal(new string('a', 256), ResultPreview.From(new string('a', 256)));
    }

    [Fact]
    public void Long_text_is_cut_to_256_plus_ellipsis()
    {
        var preview = ResultPreview.From(new string('a', 257))!;
        Assert.Equal(new string('a', 256) + "...", preview);
    }

    [Fact]
    public void Objects_become_json_and_unserializable_ones_their_text()
    {
        Assert.Equal("""{"id":3,"name":"x"}""", ResultPreview.From(new { Id = 3, Name = "x" }));
        Assert.Equal("42", ResultPreview.From(42));
        Assert.Equal("true", ResultPreview.From(true));
        var cyclic = new Node();
        cyclic.Next = cyclic;
        Assert.Equal(nameof(Node) + "!", ResultPreview.From(cyclic));
    }

    [Fact]
    public void A_10_MB_string_is_sliced_without_a_copy()
    {
        var huge = new string('s', 10_000_000);
        ResultPreview.From(huge); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        var preview = ResultPreview.From(huge)!;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(new string('s', 256) + "...", preview);
        Assert.InRange(allocated, 0, 4 * 1024);
    }

    [Fact]
    public void A_10_MB_object_is_serialized_only_until_the_preview_is_full()
    {
        // About 10 MB of JSON: 100,000 strings of 100 characters.
        var huge = new Bag(Enumerable.Range(0, 100_000).Select(i => i.ToString("D100")).ToList());
        ResultPreview.From(new Bag(["warm", "up", "the", "serializer's", "metadata"]));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var preview = ResultPreview.From(huge)!;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(256 + 3, preview.Length);
        Assert.StartsWith("{\"items\":[\"" + 0.ToString("D100") + "\",\"", preview);
        Assert.EndsWith("...", preview);
        Assert.InRange(allocated, 0, 64 * 1024); // a preview's worth, not the 10 MB document
    }

    [Fact]
    public void An_object_too_big_for_one_piece_still_ends_with_the_ellipsis()
    {
        var preview = ResultPreview.From(new Bag([new string('x', 5_000_000)]))!;
        Assert.EndsWith("...", preview);
        Assert.InRange(preview.Length, 3, 256 + 3);
        Assert.StartsWith("{\"items\":[", preview);
    }

    private sealed record Bag(List<string> Items);

    private sealed class Node
    {
        public Node? Next { get; set; }
        public override string ToString() => nameof(Node) + "!";
    }
}
