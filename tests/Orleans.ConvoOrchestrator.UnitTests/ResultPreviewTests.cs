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

    private sealed class Node
    {
        public Node? Next { get; set; }
        public override string ToString() => nameof(Node) + "!";
    }
}
