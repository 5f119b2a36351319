using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>The embedded catalog lists ids in ordinal order, page by page, with their definitions exactly as put.</summary>
public sealed class MemoryCatalogStoreTests
{
    [Fact]
    public async Task Lists_in_ordinal_order_page_by_page_and_gives_back_each_definition_as_put()
    {
        var store = new MemoryCatalogStore();
        // Kept as UTF-8 inside: text beyond ASCII (accents, symbols, an emoji's surrogate pair) must come back unchanged.
        await store.PutAsync("events", "b", """{"name":"Überwachung ✓ 🚀"}""");
        await store.PutAsync("events", "a", """{"name":"first"}""");
        await store.PutAsync("events", "c", """{"name":"third"}""");
        await store.PutAsync("events", "a", """{"name":"first, replaced"}""");
        await store.PutAsync("triggers", "a", """{"kind":"AT"}""");

        var first = await store.ListAsync("events", null, 2);
        var rest = await store.ListAsync("events", first[^1].Id, 10);

        Assert.Equal(["a", "b"], first.Select(e => e.Id));
        Assert.Equal("""{"name":"first, replaced"}""", first[0].Json);
        Assert.Equal("""{"name":"Überwachung ✓ 🚀"}""", first[1].Json);
        Assert.Equal(["c"], rest.Select(e => e.Id));
        Assert.Single(await store.ListAsync("triggers", null, 10));

        await store.RemoveAsync("events", "b");
        Assert.Equal(["a", "c"], (await store.ListAsync("events", null, 10)).Select(e => e.Id));
    }
}
