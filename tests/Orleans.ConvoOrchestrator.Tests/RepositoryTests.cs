using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>Events and trigger subscriptions through the cluster client.</summary>
[Collection(ClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class RepositoryTests(ClusterFixture fx)
{
    private static Trigger External(string id) => new(new TriggerId(id), TriggerKind.EXTERNAL);

    [Fact]
    public async Task Create_conflicts_update_replaces_and_list_is_ordered()
    {
        var a = new Event(new EventId(ClusterFixture.Unique("a")), "a", "h");
        (await fx.Api.CreateEventAsync(a)).Unwrap();

        Assert.Equal(ErrorKind.CONFLICT, (await fx.Api.CreateEventAsync(a)).UnwrapErr().Kind);
        (await fx.Api.UpdateEventAsync(a with { Name = "renamed" })).Unwrap();
        Assert.Equal("renamed", (await fx.Api.GetEventAsync(a.Id)).Unwrap().Name);

        var ids = (await fx.Api.ListEventsAsync()).Unwrap().Select(e => e.Id.Value).ToList();
        Assert.Contains(a.Id.Value, ids);
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
    }

    [Fact]
    public async Task Concurrent_creates_and_removes_all_land_in_the_catalog()
    {
        var prefix = ClusterFixture.Unique("bulk");
        var ids = Enumerable.Range(0, 200).Select(i => new EventId($"{prefix}-{i:D3}")).ToList();

        await Task.WhenAll(ids.Select(id => fx.Api.CreateEventAsync(new Event(id, "bulk", "h")).ContinueWith(t => t.Result.Unwrap())));
        await Task.WhenAll(ids.Take(50).Select(id => fx.Api.RemoveEventAsync(id).ContinueWith(t => t.Result.Unwrap())));

        var listed = (await fx.Api.ListEventsAsync()).Unwrap().Select(e => e.Id).Where(id => id.Value.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(ids.Skip(50), listed);
    }

    [Fact]
    public async Task One_trigger_fans_out_to_every_subscribed_event_and_no_other()
    {
        var handler = ClusterFixture.Unique("fan");
        var seen = new List<(string Event, string? Trigger, string Payload)>();
        fx.Handlers.Register(handler, ctx => { lock (seen) seen.Add((ctx.EventId.Value, ctx.TriggerId?.Value, ctx.PayloadJson)); });
        var first = await fx.SaveEventAsync(handler);
        var second = await fx.SaveEventAsync(handler);
        var bystander = await fx.SaveEventAsync(handler);
        var trigger = External(ClusterFixture.Unique("tr"));

        var sub1 = (await fx.Api.AttachTriggerAsync(first, trigger)).Unwrap();
        var sub2 = (await fx.Api.AttachTriggerAsync(second, trigger)).Unwrap();
        Assert.NotEqual(sub1, sub2);

        var reached = (await fx.Api.FireTriggerAsync(trigger.Id, new { n = 7 })).Unwrap();
        Assert.Equal(2, reached);
        await fx.WaitForHistoryAsync(first, 1);
        await fx.WaitForHistoryAsync(second, 1);
        await Task.Delay(200);

        Assert.Equal(2, seen.Count);
        Assert.All(seen, s => Assert.Equal(trigger.Id.Value, s.Trigger));
        Assert.All(seen, s => Assert.Equal("""{"n":7}""", s.Payload));
        Assert.DoesNotContain(seen, s => s.Event == bystander.Value);
        Assert.Equal(trigger.Id, (await fx.Api.HistoryAsync(first)).Unwrap()[0].TriggerId);
    }

    [Fact]
    public async Task Detach_stops_fan_out_and_the_last_detach_removes_the_trigger()
    {
        var handler = ClusterFixture.Unique("det");
        fx.Handlers.Register(handler, ctx => "ok");
        var first = await fx.SaveEventAsync(handler);
        var second = await fx.SaveEventAsync(handler);
        var trigger = External(ClusterFixture.Unique("tr"));
        var sub1 = (await fx.Api.AttachTriggerAsync(first, trigger)).Unwrap();
        var sub2 = (await fx.Api.AttachTriggerAsync(second, trigger)).Unwrap();

        (await fx.Api.DetachTriggerAsync(sub1)).Unwrap();
        Assert.Equal(1, (await fx.Api.FireTriggerAsync(trigger.Id)).Unwrap());
        Assert.Empty((await fx.Api.ListTriggersAsync(first)).Unwrap());
        Assert.Single((await fx.Api.ListTriggersAsync(second)).Unwrap());
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.DetachTriggerAsync(sub1)).UnwrapErr().Kind);

        (await fx.Api.DetachTriggerAsync(sub2)).Unwrap();
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.FireTriggerAsync(trigger.Id)).UnwrapErr().Kind);
        Assert.DoesNotContain((await fx.Api.ListTriggersAsync()).Unwrap(), t => t.Id == trigger.Id);
    }

    [Fact]
    public async Task Removing_an_event_removes_its_subscriptions()
    {
        var first = await fx.SaveEventAsync("h");
        var second = await fx.SaveEventAsync("h");
        var shared = External(ClusterFixture.Unique("shared"));
        var own = new Trigger(new TriggerId(ClusterFixture.Unique("own")), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(10));
        (await fx.Api.AttachTriggerAsync(first, shared)).Unwrap();
        (await fx.Api.AttachTriggerAsync(second, shared)).Unwrap();
        (await fx.Api.AttachTriggerAsync(first, own)).Unwrap();

        (await fx.Api.RemoveEventAsync(first)).Unwrap();

        var all = (await fx.Api.ListTriggersAsync()).Unwrap();
        Assert.Contains(all, t => t.Id == shared.Id);
        Assert.DoesNotContain(all, t => t.Id == own.Id);
        Assert.Equal(1, (await fx.Api.FireTriggerAsync(shared.Id)).Unwrap());
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.ListTriggersAsync(first)).UnwrapErr().Kind);
    }

    [Fact]
    public async Task Same_trigger_id_with_another_definition_conflicts_and_identical_attach_is_idempotent()
    {
        var first = await fx.SaveEventAsync("h");
        var second = await fx.SaveEventAsync("h");
        var id = ClusterFixture.Unique("tr");
        var trigger = new Trigger(new TriggerId(id), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(5));

        var sub = (await fx.Api.AttachTriggerAsync(first, trigger)).Unwrap();
        Assert.Equal(sub, (await fx.Api.AttachTriggerAsync(first, trigger)).Unwrap());
        var other = trigger with { Interval = TimeSpan.FromSeconds(6) };
        Assert.Equal(ErrorKind.CONFLICT, (await fx.Api.AttachTriggerAsync(second, other)).UnwrapErr().Kind);
        Assert.Equal(ErrorKind.CONFLICT, (await fx.Api.AttachTriggerAsync(first, other)).UnwrapErr().Kind);

        // Stored as attached, plus the anchor the cluster gave it at the first attach.
        var stored = Assert.Single((await fx.Api.ListTriggersAsync(first)).Unwrap());
        Assert.NotNull(stored.Anchor);
        Assert.Equal(trigger, stored with { Anchor = null });
        Assert.Empty((await fx.Api.ListTriggersAsync(second)).Unwrap());
    }

    [Fact]
    public async Task Firing_into_a_paused_event_records_SKIPPED_and_runs_nothing()
    {
        var handler = ClusterFixture.Unique("skip");
        var runs = 0;
        fx.Handlers.Register(handler, ctx => Interlocked.Increment(ref runs));
        var paused = await fx.SaveEventAsync(handler, active: false);
        var trigger = External(ClusterFixture.Unique("tr"));
        (await fx.Api.AttachTriggerAsync(paused, trigger)).Unwrap();

        Assert.Equal(0, (await fx.Api.FireTriggerAsync(trigger.Id)).Unwrap());

        var status = (await fx.Api.StatusAsync(paused)).Unwrap();
        Assert.Equal(JobStatus.SKIPPED, status.LastOutcome!.Status);
        Assert.Equal(1, (await fx.Api.MetricsSnapshotAsync()).Unwrap().Counter(MetricNames.JobsSkipped, paused));
        await Task.Delay(100);
        Assert.Equal(0, runs);
    }

    [Fact]
    public async Task Detach_with_a_malformed_subscription_id_is_a_validation_error()
    {
        Assert.Equal(ErrorKind.VALIDATION, (await fx.Api.DetachTriggerAsync(new SubscriptionId("no-slash"))).UnwrapErr().Kind);
        Assert.Equal(ErrorKind.VALIDATION, (await fx.Api.DetachTriggerAsync(new SubscriptionId("a/b/c"))).UnwrapErr().Kind);
        Assert.Equal(ErrorKind.VALIDATION, (await fx.Api.DetachTriggerAsync(default)).UnwrapErr().Kind);
    }
}
