using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// <c>events list</c> and <c>triggers list</c> with <c>--limit</c> and <c>--page-token</c> against the stock silo: one
/// page, the next page's token (in JSON, and as the command to run in the table), and bad values as usage errors.
/// </summary>
[Collection(StockSiloCollection.Name)]
[Trait(Lane.Name, Lane.System)]
public sealed class CliPagingTests(StockSiloFixture silo)
{
    [Fact]
    public async Task Triggers_list_pages_with_limit_and_page_token_and_prints_the_next_command()
    {
        var eventId = await silo.SaveEventAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var ids = new[] { $"a-{suffix}", $"b-{suffix}", $"c-{suffix}" };
        foreach (var id in ids) CliRun.AssertExit(0, await silo.RunClientAsync("triggers", "attach", eventId, "--external", "--id", id));

        var first = await silo.RunClientAsync("--json", "triggers", "list", "--event", eventId, "--limit", "2");
        CliRun.AssertExit(0, first);
        var page = CliRun.ParseJson(first);
        Assert.Equal(ids[..2], page.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("trigger").GetProperty("id").GetString()));
        var token = page.GetProperty("nextPageToken").GetString()!;

        var table = await silo.RunClientAsync("triggers", "list", "--event", eventId, "--limit", "2");
        CliRun.AssertExit(0, table);
        Assert.Contains($"next page: convo triggers list --event {eventId} --limit 2 --page-token {token}", table.StdOut);

        var last = await silo.RunClientAsync("triggers", "list", "--event", eventId, "--limit", "2", "--page-token", token);
        CliRun.AssertExit(0, last);
        Assert.Contains(ids[2], last.StdOut);
        Assert.DoesNotContain(ids[0], last.StdOut);
        Assert.Contains("(last page)", last.StdOut);
    }

    [Fact]
    public async Task Events_list_gives_one_page_with_limit_and_refuses_a_bad_limit_or_token()
    {
        await silo.SaveEventAsync();
        await silo.SaveEventAsync();
        var one = await silo.RunClientAsync("--json", "events", "list", "--limit", "1");
        CliRun.AssertExit(0, one);
        var page = CliRun.ParseJson(one);
        Assert.Equal(1, page.GetProperty("items").GetArrayLength());
        var next = await silo.RunClientAsync("--json", "events", "list", "--limit", "1", "--page-token", page.GetProperty("nextPageToken").GetString()!);
        CliRun.AssertExit(0, next);
        Assert.True(string.CompareOrdinal(page.GetProperty("items")[0].GetProperty("id").GetString(),
            CliRun.ParseJson(next).GetProperty("items")[0].GetProperty("id").GetString()) < 0, "the second page does not follow the first");

        var zero = await silo.RunClientAsync("events", "list", "--limit", "0");
        CliRun.AssertExit(2, zero);
        Assert.Contains("--limit: limit must be between 1 and 1000 (got 0)", zero.StdErr);
        var garbage = await silo.RunClientAsync("events", "list", "--page-token", "not-ours!");
        CliRun.AssertExit(2, garbage);
        Assert.Contains("--page-token: ", garbage.StdErr);
    }
}
