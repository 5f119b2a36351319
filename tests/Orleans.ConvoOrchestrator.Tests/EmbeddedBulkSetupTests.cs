using Orleans.ConvoOrchestrator.Tests.Support;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>The embedded EventManager's bulk set-up: kept in the repository before Start, loaded into the silo by it, and sent to the silo after.</summary>
[Trait(Lane.Name, Lane.Cluster)]
public sealed class EmbeddedBulkSetupTests
{
    [Fact]
    public async Task A_bulk_set_up_before_and_after_start_lands_in_the_silo_and_bad_input_changes_nothing()
    {
        var repo = new InMemoryEventRepository();
        await using var mgr = new EventManager(repo, new HandlerRegistry(), new SystemClock(), new InMemoryMetrics());
        EventSetup Setup(string id) => new(new Event(new EventId(id), id, "h"), [new Trigger(new TriggerId($"tr-{id}"), TriggerKind.Cron, Cron: "0 3 * * *")]);

        Assert.Equal(2, (await mgr.SaveEventsAsync([Setup("before-1"), Setup("before-2")])).Unwrap());
        var refused = await mgr.SaveEventsAsync([Setup("bad-1"), Setup("bad-2") with { Event = new Event(new EventId("bad-2"), "", "h") }]);
        Assert.Equal(ErrorKind.VALIDATION, refused.Error?.Kind);
        Assert.Contains("item 2 (event 'bad-2')", refused.Error!.Message);
        Assert.Equal(ErrorKind.NOT_FOUND, (await mgr.GetEventAsync(new EventId("bad-1"))).Error?.Kind);

        await mgr.StartAsync();
        Assert.Equal(1, (await mgr.SaveEventsAsync([Setup("after-1")])).Unwrap());

        Assert.Equal(["after-1", "before-1", "before-2"], (await mgr.ListEventsAsync()).Unwrap().Select(e => e.Id.Value));
        Assert.Equal(["tr-after-1", "tr-before-1", "tr-before-2"], (await mgr.ListTriggersAsync()).Unwrap().Select(t => t.Id.Value));
        Assert.NotNull((await mgr.TriggerStatusAsync(new TriggerId("tr-before-2"))).Unwrap().NextFire);
    }
}
