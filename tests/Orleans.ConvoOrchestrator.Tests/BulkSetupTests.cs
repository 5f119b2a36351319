using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>SaveEventsAsync on the memory store: a whole list set up at once, bad input refused whole, listings and schedules as after single calls.</summary>
[Collection(ClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class BulkSetupTests(ClusterFixture fx)
{
    private static Event NewEvent(string prefix = "bulk") => new(new EventId(ClusterFixture.Unique(prefix)), "bulk", "log");

    private static Trigger Daily(string prefix = "daily") => new(new TriggerId(ClusterFixture.Unique(prefix)), TriggerKind.Cron, Cron: "0 3 * * *");

    [Fact]
    public async Task A_bulk_set_up_saves_every_event_attaches_every_trigger_and_lists_them()
    {
        // More items than one chunk, so the client's chunks and the silo's fan-out both take part.
        var shared = new Trigger(new TriggerId(ClusterFixture.Unique("shared")), TriggerKind.EXTERNAL);
        var setups = Enumerable.Range(0, EventSetupValidator.ChunkSize + 30)
            .Select(i => new EventSetup(NewEvent(), i % 2 == 0 ? [Daily()] : [Daily(), shared]))
            .ToList();

        Assert.Equal(setups.Count, (await fx.Api.SaveEventsAsync(setups)).Unwrap());

        var events = (await fx.Api.ListEventsAsync()).Unwrap().Select(e => e.Id).ToHashSet();
        Assert.All(setups, s => Assert.Contains(s.Event.Id, events));
        var triggers = (await fx.Api.ListTriggersAsync()).Unwrap().Select(t => t.Id).ToHashSet();
        Assert.All(setups.SelectMany(s => s.TriggerList), t => Assert.Contains(t.Id, triggers));
        foreach (var setup in setups.Take(5).Concat(setups.TakeLast(5)))
        {
            Assert.Equal(setup.Event, (await fx.Api.GetEventAsync(setup.Event.Id)).Unwrap());
            var attached = (await fx.Api.ListTriggersAsync(setup.Event.Id)).Unwrap().Select(t => t.Id.Value).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(setup.TriggerList.Select(t => t.Id.Value).Order(StringComparer.Ordinal).ToList(), attached);
        }
        // One trigger shared by half the events feeds each of them, as attaching it one by one would.
        var status = (await fx.Api.TriggerStatusAsync(shared.Id)).Unwrap();
        Assert.Equal(setups.Count / 2, status.Subscribers.Count);
        var firstDaily = setups[0].TriggerList[0].Id;
        Assert.NotNull((await fx.Api.TriggerStatusAsync(firstDaily)).Unwrap().NextFire);
        // The shared EXTERNAL trigger reaches every event it feeds, though the set-up let their grains go.
        Assert.Equal(setups.Count / 2, (await fx.Api.FireTriggerAsync(shared.Id)).Unwrap());
    }

    [Fact]
    public async Task A_bad_item_is_named_and_nothing_of_the_list_is_set_up()
    {
        var good = new EventSetup(NewEvent(), [Daily()]);
        var bad = new EventSetup(NewEvent() with { HandlerName = "" }, [Daily()]);

        var refused = await fx.Api.SaveEventsAsync([good, bad]);

        Assert.Equal(ErrorKind.VALIDATION, refused.Error?.Kind);
        Assert.Contains($"item 2 (event '{bad.Event.Id}')", refused.Error!.Message);
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.GetEventAsync(good.Event.Id)).Error?.Kind);
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.TriggerStatusAsync(good.TriggerList[0].Id)).Error?.Kind);
    }

    [Fact]
    public async Task A_calendar_that_does_not_exist_refuses_the_whole_list()
    {
        var good = new EventSetup(NewEvent(), [Daily()]);
        var missing = ClusterFixture.Unique("no-cal");
        var named = new EventSetup(NewEvent(), [Daily() with { Calendars = [missing] }]);

        var refused = await fx.Api.SaveEventsAsync([good, named]);

        Assert.Equal(ErrorKind.NOT_FOUND, refused.Error?.Kind);
        Assert.Contains($"calendar '{missing}'", refused.Error!.Message);
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.GetEventAsync(good.Event.Id)).Error?.Kind);
    }

    [Fact]
    public async Task A_trigger_stored_with_another_definition_is_a_conflict_naming_the_item_and_a_repeat_is_harmless()
    {
        var existing = Daily();
        var owner = NewEvent();
        (await fx.Api.SaveEventAsync(owner)).Unwrap();
        (await fx.Api.AttachTriggerAsync(owner.Id, existing)).Unwrap();
        var first = new EventSetup(NewEvent(), [Daily()]);
        var clash = new EventSetup(NewEvent(), [existing with { Cron = "0 4 * * *" }]);

        var refused = await fx.Api.SaveEventsAsync([first, clash]);

        Assert.Equal(ErrorKind.CONFLICT, refused.Error?.Kind);
        Assert.Contains($"item 2 (event '{clash.Event.Id}')", refused.Error!.Message);
        Assert.Equal("0 3 * * *", (await fx.Api.TriggerStatusAsync(existing.Id)).Unwrap().Trigger.Cron);
        // Sending the good part again changes nothing of what the first try stored.
        Assert.Equal(1, (await fx.Api.SaveEventsAsync([first])).Unwrap());
        Assert.Single((await fx.Api.ListTriggersAsync(first.Event.Id)).Unwrap());
    }

    [Fact]
    public async Task A_paused_trigger_attached_in_bulk_counts_as_paused_for_the_event()
    {
        var paused = new Trigger(new TriggerId(ClusterFixture.Unique("paused")), TriggerKind.INTERVAL, Interval: TimeSpan.FromHours(1));
        var owner = NewEvent();
        (await fx.Api.SaveEventAsync(owner)).Unwrap();
        (await fx.Api.AttachTriggerAsync(owner.Id, paused)).Unwrap();
        (await fx.Api.SetTriggerPausedAsync(paused.Id, true)).Unwrap();
        var setup = new EventSetup(NewEvent(), [paused]);

        (await fx.Api.SaveEventsAsync([setup])).Unwrap();

        // A paused trigger fires nothing: the event's next run leaves it out.
        Assert.Null((await fx.Api.StatusAsync(setup.Event.Id)).Unwrap().NextRun);
    }

    [Fact]
    public async Task Far_triggers_and_their_events_leave_memory_soon_after_a_bulk_set_up_and_near_ones_stay()
    {
        var far = Enumerable.Range(0, 5).Select(_ => new EventSetup(NewEvent("far"), [Daily()])).ToList();
        var near = new EventSetup(NewEvent("near"), [new Trigger(new TriggerId(ClusterFixture.Unique("near")), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(30))]);

        (await fx.Api.SaveEventsAsync([.. far, near])).Unwrap();

        var management = fx.Cluster.Client.GetGrain<IManagementGrain>(0);
        async Task<HashSet<string>> ActiveKeysAsync() =>
            (await management.GetDetailedGrainStatistics()).Select(g => g.GrainId.Key.ToString()!).ToHashSet(StringComparer.Ordinal);
        var farKeys = far.SelectMany(s => new[] { s.Event.Id.Value, s.TriggerList[0].Id.Value }).ToList();
        await Eventually.TrueAsync(async () => !farKeys.Any((await ActiveKeysAsync()).Contains), TimeSpan.FromSeconds(20), "the far schedules' grains gone");
        var active = await ActiveKeysAsync();
        Assert.Contains(near.TriggerList[0].Id.Value, active); // its timer fires within the reminder period: it stays
        Assert.Contains(near.Event.Id.Value, active);
        // Gone from memory, not from the cluster: each answers again, with its schedule.
        Assert.NotNull((await fx.Api.TriggerStatusAsync(far[0].TriggerList[0].Id)).Unwrap().NextFire);
    }
}
