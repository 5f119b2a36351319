using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>Page tokens and limits of the paged listings, and the repository's pages before the manager starts.</summary>
public sealed class PageTokenTests
{
    [Theory]
    [InlineData("ev-1")]
    [InlineData("a.b:c@d_e-f")]
    public void A_token_reads_back_as_the_id_it_was_made_after(string id)
    {
        var token = PageToken.After(id);
        Assert.DoesNotContain(id, token); // opaque, and URL-safe
        Assert.Matches("^[A-Za-z0-9_-]+$", token);
        Assert.True(PageToken.Read(10, token, out var after).IsOk);
        Assert.Equal(id, after);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(PageToken.MaxLimit + 1)]
    public void A_limit_outside_one_to_the_maximum_is_refused(int limit)
    {
        var read = PageToken.Read(limit, null, out _);
        Assert.Equal(ErrorKind.VALIDATION, read.Error!.Kind);
        Assert.Contains($"limit must be between 1 and {PageToken.MaxLimit} (got {limit})", read.Error.Message);
    }

    [Theory]
    [InlineData("not a token!")]
    [InlineData("")]
    [InlineData("Lw")] // "/": decodes, but is no id
    [InlineData("_-_-")] // bytes that are no UTF-8 id
    public void A_token_this_API_did_not_make_is_refused(string token)
    {
        var read = PageToken.Read(10, token, out var after);
        Assert.Equal(ErrorKind.VALIDATION, read.Error!.Kind);
        Assert.Contains("is not one this API handed out", read.Error.Message);
        Assert.Null(after);
    }

    [Fact]
    public async Task The_repository_pages_its_events_and_triggers_before_the_manager_starts()
    {
        var repo = new InMemoryEventRepository();
        var ids = Enumerable.Range(0, 25).Select(i => $"ev-{i:D2}").ToList();
        foreach (var id in ids.AsEnumerable().Reverse()) repo.SaveEvent(new Event(new EventId(id), id, "log"));
        var shared = new Trigger(new TriggerId("tr-shared"), TriggerKind.EXTERNAL);
        foreach (var id in ids.Take(3)) repo.AttachTrigger(new EventId(id), shared);
        repo.AttachTrigger(new EventId("ev-00"), new Trigger(new TriggerId("tr-own"), TriggerKind.EXTERNAL));

        var listed = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = (await repo.ListEventsPageAsync(10, token)).Unwrap();
            listed.AddRange(page.Items.Select(e => e.Id.Value));
            token = page.NextPageToken;
            pages++;
        }
        while (token is not null);
        Assert.Equal(ids, listed);
        Assert.Equal(3, pages);

        var triggers = (await repo.ListTriggersPageAsync(1)).Unwrap();
        Assert.Equal(["tr-own"], triggers.Items.Select(t => t.Id.Value));
        var last = (await repo.ListTriggersPageAsync(1, triggers.NextPageToken)).Unwrap();
        Assert.Equal(["tr-shared"], last.Items.Select(t => t.Id.Value)); // attached thrice, listed once
        Assert.Null(last.NextPageToken);
        Assert.Equal(["tr-shared"], (await repo.ListTriggersPageAsync(5, null, new EventId("ev-02"))).Unwrap().Items.Select(t => t.Id.Value));
        Assert.Equal(ErrorKind.VALIDATION, (await repo.ListEventsPageAsync(0)).Error!.Kind);
        Assert.Equal(ErrorKind.NOT_FOUND, (await repo.ListTriggersPageAsync(5, null, new EventId("nope"))).Error!.Kind);
    }
}
