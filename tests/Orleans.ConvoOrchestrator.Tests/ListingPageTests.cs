using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Paged listings through the cluster client on the memory store: every event and trigger exactly once, in id order,
/// and bad limits or tokens refused. A cluster of its own, so the listings hold only what these tests saved.
/// </summary>
[Trait(Lane.Name, Lane.Cluster)]
public sealed class ListingPageTests(ClusterFixture fx) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Two_thousand_five_hundred_events_come_back_exactly_once_in_pages_of_a_thousand()
    {
        var saved = Enumerable.Range(0, 2_500).Select(i => $"page-ev-{i:D4}").ToList();
        foreach (var batch in saved.Chunk(250))
            (await Task.WhenAll(batch.Select(id => fx.Api.SaveEventAsync(new Event(new EventId(id), id, "log"))))).ToList().ForEach(r => r.Unwrap());

        var pages = await AllPagesAsync(token => fx.Api.ListEventsPageAsync(1_000, token), e => e.Id.Value);

        var listed = pages.SelectMany(p => p).ToList();
        Assert.Equal(listed.Count, listed.Distinct().Count()); // nothing twice
        Assert.Equal(saved, listed.Where(id => id.StartsWith("page-ev-", StringComparison.Ordinal)));
        Assert.True(listed.Zip(listed.Skip(1)).All(p => string.CompareOrdinal(p.First, p.Second) < 0), "pages are not in id order");
        Assert.All(pages.SkipLast(1), p => Assert.Equal(1_000, p.Count));
        // The unpaged listing is the pages joined.
        Assert.Equal(listed, (await fx.Api.ListEventsAsync()).Unwrap().Select(e => e.Id.Value));
    }

    [Fact]
    public async Task A_trigger_fed_to_several_events_is_listed_once_and_one_events_triggers_page_too()
    {
        var ev = Enumerable.Range(0, 3).Select(i => new EventId(ClusterFixture.Unique($"trig-ev{i}"))).ToList();
        foreach (var id in ev) (await fx.Api.SaveEventAsync(new Event(id, "t", "log"))).Unwrap();
        var shared = new Trigger(new TriggerId(ClusterFixture.Unique("tr-shared")), TriggerKind.EXTERNAL);
        foreach (var id in ev) (await fx.Api.AttachTriggerAsync(id, shared)).Unwrap();
        var own = Enumerable.Range(0, 5).Select(i => new Trigger(new TriggerId(ClusterFixture.Unique($"tr-own{i}")), TriggerKind.EXTERNAL)).ToList();
        foreach (var t in own) (await fx.Api.AttachTriggerAsync(ev[0], t)).Unwrap();

        var all = (await AllPagesAsync(token => fx.Api.ListTriggersPageAsync(2, token), t => t.Id.Value)).SelectMany(p => p).ToList();
        var mine = own.Append(shared).Select(t => t.Id.Value).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(mine, all.Where(mine.Contains));
        Assert.Equal(all.Count, all.Distinct().Count());

        var ofFirst = await AllPagesAsync(token => fx.Api.ListTriggersPageAsync(4, token, ev[0]), t => t.Id.Value);
        Assert.Equal([4, 2], ofFirst.Select(p => p.Count));
        Assert.Equal(mine, ofFirst.SelectMany(p => p));
        Assert.Equal([shared.Id.Value], (await fx.Api.ListTriggersPageAsync(10, null, ev[2])).Unwrap().Items.Select(t => t.Id.Value));
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.ListTriggersPageAsync(10, null, new EventId(ClusterFixture.Unique("none")))).Error!.Kind);
    }

    [Theory]
    [InlineData(0, null, "limit must be between 1 and 1000 (got 0)")]
    [InlineData(1_001, null, "limit must be between 1 and 1000 (got 1001)")]
    [InlineData(10, "%%%", "is not one this API handed out")]
    [InlineData(10, "Lw", "is not one this API handed out")]
    public async Task A_bad_limit_or_page_token_is_a_validation_error(int limit, string? token, string says)
    {
        var events = await fx.Api.ListEventsPageAsync(limit, token);
        var triggers = await fx.Api.ListTriggersPageAsync(limit, token);
        Assert.Equal(ErrorKind.VALIDATION, events.Error!.Kind);
        Assert.Contains(says, events.Error.Message);
        Assert.Equal(ErrorKind.VALIDATION, triggers.Error!.Kind);
        Assert.Contains(says, triggers.Error.Message);
    }

    // Follows the tokens from the first page to the last; returns each page's ids.
    private static async Task<List<List<string>>> AllPagesAsync<T>(Func<string?, Task<Result<Page<T>>>> read, Func<T, string> id)
    {
        var pages = new List<List<string>>();
        string? token = null;
        do
        {
            var page = (await read(token)).Unwrap();
            pages.Add(page.Items.Select(id).ToList());
            token = page.NextPageToken;
            Assert.True(pages.Count < 100, "the pages never end");
        }
        while (token is not null);
        return pages;
    }
}
