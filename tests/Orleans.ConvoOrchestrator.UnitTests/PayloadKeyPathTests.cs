namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>Idempotency keys taken from a payload by a policy's key path.</summary>
public sealed class PayloadKeyPathTests
{
    [Theory]
    [InlineData("$.id", new[] { "id" })]
    [InlineData("$.order.customer_id", new[] { "order", "customer_id" })]
    [InlineData("$.a-b.c1", new[] { "a-b", "c1" })]
    public void Paths_of_property_names_parse(string path, string[] names)
    {
        Assert.Equal(names, PayloadKeyPath.Parse(path, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("id", "must start with")]
    [InlineData("$", "must start with")]
    [InlineData("$.", "is not a property name")]
    [InlineData("$.a..b", "is not a property name")]
    [InlineData("$.a[0]", "is not a property name")]
    [InlineData("$.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q", "at most 16")]
    public void Other_paths_are_refused_with_what_is_wrong(string path, string expected)
    {
        Assert.Null(PayloadKeyPath.Parse(path, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("""{"order":{"id":"A-7"}}""", "A-7")]
    [InlineData("""{"order":{"id":42}}""", "42")]
    [InlineData("""{"order":{"id":true}}""", "true")]
    [InlineData("""{"order":{"id":{"x":1}}}""", """{"x":1}""")]
    [InlineData("""{"order":{"id":null}}""", null)]
    [InlineData("""{"order":{"id":""}}""", null)]
    [InlineData("""{"order":{}}""", null)]
    [InlineData("""{"order":[1]}""", null)]
    [InlineData("""[1,2]""", null)]
    public void The_key_is_the_value_at_the_path_and_absent_without_one(string payload, string? key) =>
        Assert.Equal(key, PayloadKeyPath.Read(payload, ["order", "id"]));

    [Fact]
    public void A_value_too_long_for_a_key_is_replaced_by_its_hash()
    {
        var payload = "{\"order\":{\"id\":\"" + new string('x', 500) + "\"}}";
        var key = PayloadKeyPath.Read(payload, ["order", "id"]);
        Assert.StartsWith("sha256:", key);
        Assert.Equal(7 + 64, key!.Length);
        Assert.Equal(key, PayloadKeyPath.Read(payload, ["order", "id"])); // the same value, the same key
    }
}
