using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>Triggers set up in bulk, on a fake clock: scheduled and fired exactly as triggers attached one by one.</summary>
[Collection(FakeClockClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class BulkSetupScheduleTests(FakeClockClusterFixture fx)
{
    [Fact]
    public async Task Bulk_triggers_plan_and_fire_like_triggers_attached_one_by_one()
    {
        var anchor = fx.Clock.GetUtcNow();
        Trigger Every10s(string prefix) => new(new TriggerId(ClusterFixture.Unique(prefix)), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(10), Anchor: anchor);
        Trigger Daily(string prefix) => new(new TriggerId(ClusterFixture.Unique(prefix)), TriggerKind.Cron, Cron: "0 3 * * *");
        var seenSingle = new List<EventContext>();
        var single = await fx.RecordingEventAsync(seenSingle);
        var (singleNear, singleFar) = (Every10s("one"), Daily("one-far"));
        (await fx.Api.AttachTriggerAsync(single, singleNear)).Unwrap();
        (await fx.Api.AttachTriggerAsync(single, singleFar)).Unwrap();
        var seenBulk = new List<EventContext>();
        var bulk = await fx.RecordingEventAsync(seenBulk);
        var definition = (await fx.Api.GetEventAsync(bulk)).Unwrap();
        var (bulkNear, bulkFar) = (Every10s("bulk"), Daily("bulk-far"));

        (await fx.Api.SaveEventsAsync([new EventSetup(definition, [bulkNear, bulkFar])])).Unwrap();

        Assert.Equal((await fx.Api.NextFiresAsync(singleNear.Id, 5)).Unwrap(), (await fx.Api.NextFiresAsync(bulkNear.Id, 5)).Unwrap());
        Assert.Equal((await fx.Api.NextFiresAsync(singleFar.Id, 5)).Unwrap(), (await fx.Api.NextFiresAsync(bulkFar.Id, 5)).Unwrap());
        for (var k = 1; k <= 3; k++)
        {
            fx.Advance(TimeSpan.FromSeconds(10));
            await fx.WaitForTriggerAsync(bulkNear.Id, s => s.FireCount >= k);
            await fx.WaitForTriggerAsync(singleNear.Id, s => s.FireCount >= k);
        }
        await Eventually.TrueAsync(() => Task.FromResult(Count(seenBulk, bulkNear.Id) == 3), TimeSpan.FromSeconds(20), "three bulk fires ran");
        await Eventually.TrueAsync(() => Task.FromResult(Count(seenSingle, singleNear.Id) == 3), TimeSpan.FromSeconds(20), "three single fires ran");
        Assert.Equal(Scheduled(seenSingle, singleNear.Id), Scheduled(seenBulk, bulkNear.Id));
        // The far trigger's grain went from memory after the set-up; asking for it brings it back with its plan.
        Assert.Equal((await fx.Api.TriggerStatusAsync(singleFar.Id)).Unwrap().NextFire, (await fx.Api.TriggerStatusAsync(bulkFar.Id)).Unwrap().NextFire);
    }

    private static int Count(List<EventContext> seen, TriggerId trigger)
    {
        lock (seen) return seen.Count(c => c.TriggerId == trigger);
    }

    private static List<DateTimeOffset?> Scheduled(List<EventContext> seen, TriggerId trigger)
    {
        lock (seen) return seen.Where(c => c.TriggerId == trigger).Select(c => c.ScheduledAt).Order().ToList();
    }
}
