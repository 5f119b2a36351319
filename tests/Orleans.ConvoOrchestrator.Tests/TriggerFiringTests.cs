using Orleans.ConvoOrchestrator.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.TestingHost;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>Triggers on a fake clock: exactly the fires that time implies, no more, no fewer.</summary>
[Collection(FakeClockClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class TriggerFiringTests(FakeClockClusterFixture fx)
{
    private static TriggerId NewId(string prefix) => new(ClusterFixture.Unique(prefix));

    private async Task<(TriggerId Id, DateTimeOffset Anchor)> AttachIntervalAsync(EventId ev, TimeSpan interval, TimeSpan? jitter = null,
        MisfirePolicy misfire = MisfirePolicy.Coalesce)
    {
        var trigger = new Trigger(NewId("iv"), TriggerKind.INTERVAL, Interval: interval, Jitter: jitter, Misfire: misfire);
        (await fx.Api.AttachTriggerAsync(ev, trigger)).Unwrap();
        var status = (await fx.Api.TriggerStatusAsync(trigger.Id)).Unwrap();
        return (trigger.Id, status.Trigger.Anchor!.Value);
    }

    private async Task StepAsync(TriggerId id, TimeSpan by, long expectedFires)
    {
        fx.Advance(by);
        await fx.WaitForTriggerAsync(id, s => s.FireCount >= expectedFires);
    }

    [Fact]
    public async Task Interval_fires_exactly_k_times_after_k_intervals()
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var (id, anchor) = await AttachIntervalAsync(ev, TimeSpan.FromSeconds(10));

        fx.Advance(TimeSpan.FromSeconds(9.999));
        await Task.Delay(100);
        Assert.Equal(0, (await fx.Api.TriggerStatusAsync(id)).Unwrap().FireCount);
        fx.Advance(TimeSpan.FromMilliseconds(1));
        await fx.WaitForTriggerAsync(id, s => s.FireCount == 1);
        for (var k = 2; k <= 5; k++) await StepAsync(id, TimeSpan.FromSeconds(10), k);
        await fx.WaitForHistoryAsync(ev, 5);
        await Task.Delay(100);

        var status = (await fx.Api.TriggerStatusAsync(id)).Unwrap();
        Assert.Equal(5, status.FireCount);
        Assert.Equal(0, status.MissCount);
        Assert.Equal(anchor.AddSeconds(60), status.NextFire);
        Assert.Equal(Enumerable.Range(1, 5).Select(k => (DateTimeOffset?)anchor.AddSeconds(10 * k)), seen.Select(c => c.ScheduledAt).Order());
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, id))).Unwrap();
    }

    [Fact]
    public async Task The_preview_names_the_instants_the_trigger_then_fires_at()
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var (id, _) = await AttachIntervalAsync(ev, TimeSpan.FromSeconds(10), jitter: TimeSpan.FromSeconds(4));
        var preview = (await fx.Api.NextFiresAsync(id, 5)).Unwrap();
        Assert.Equal(5, preview.Count);

        for (var k = 1; k <= 5; k++) await StepAsync(id, preview[k - 1] - fx.Clock.GetUtcNow(), k);
        await fx.WaitForHistoryAsync(ev, 5);
        lock (seen) Assert.Equal(preview, seen.Select(c => c.ScheduledAt!.Value).Order());
        Assert.Equal(preview[^1], (await fx.Api.TriggerStatusAsync(id)).Unwrap().LastScheduledFor);
        Assert.Equal(0, (await fx.Api.TriggerStatusAsync(id)).Unwrap().MissCount);
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, id))).Unwrap();
    }

    // A 60 s outage of a 10 s INTERVAL: nothing fires from 5 s to 65 s; then the catch-up window decides.
    [Theory]
    [InlineData(MisfirePolicy.Coalesce, 0.0, new int[0], 6)]
    [InlineData(MisfirePolicy.Coalesce, 30.0, new[] { 60 }, 6)]
    [InlineData(MisfirePolicy.RunAll, 30.0, new[] { 40, 50, 60 }, 3)]
    [InlineData(MisfirePolicy.RunAll, 600.0, new[] { 10, 20, 30, 40, 50, 60 }, 0)]
    public async Task After_an_outage_the_catch_up_window_decides_what_runs(MisfirePolicy policy, double windowSeconds, int[] runsAt, long missed)
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var trigger = new Trigger(NewId("cu"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(10), Misfire: policy,
            CatchUpWindow: TimeSpan.FromSeconds(windowSeconds));
        (await fx.Api.AttachTriggerAsync(ev, trigger)).Unwrap();
        var anchor = (await fx.Api.TriggerStatusAsync(trigger.Id)).Unwrap().Trigger.Anchor!.Value;

        fx.Advance(TimeSpan.FromSeconds(65)); // the timer due at 10 s runs once, 55 s late
        var status = await fx.WaitForTriggerAsync(trigger.Id, s => s.FireCount + s.MissCount >= 6);
        Assert.Equal((runsAt.Length, missed), (status.FireCount, status.MissCount));
        if (runsAt.Length > 0) await fx.WaitForHistoryAsync(ev, runsAt.Length);
        await Task.Delay(100); // no run beyond those
        lock (seen) Assert.Equal(runsAt.Select(s => (DateTimeOffset?)anchor.AddSeconds(s)), seen.Select(c => c.ScheduledAt).Order());
        Assert.Equal(anchor.AddSeconds(70), status.NextFire);
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, trigger.Id))).Unwrap();
    }

    // A 10 s INTERVAL paused after its first fire for 10 intervals, resumed 5 s after the last one it missed.
    [Theory]
    [InlineData(MisfirePolicy.Coalesce, null, new[] { 10, 110 }, 10)]
    [InlineData(MisfirePolicy.Coalesce, 0.0, new[] { 10 }, 10)]
    [InlineData(MisfirePolicy.RunAll, 35.0, new[] { 10, 80, 90, 100, 110 }, 6)]
    public async Task A_paused_trigger_fires_nothing_and_on_resume_its_catch_up_window_decides(MisfirePolicy policy, double? windowSeconds, int[] runsAt, long missed)
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var trigger = new Trigger(NewId("pz"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(10), Misfire: policy,
            CatchUpWindow: windowSeconds is { } w ? TimeSpan.FromSeconds(w) : null);
        (await fx.Api.AttachTriggerAsync(ev, trigger)).Unwrap();
        var anchor = (await fx.Api.TriggerStatusAsync(trigger.Id)).Unwrap().Trigger.Anchor!.Value;
        await StepAsync(trigger.Id, TimeSpan.FromSeconds(10), 1);

        (await fx.Api.SetTriggerPausedAsync(trigger.Id, true)).Unwrap();
        var paused = (await fx.Api.TriggerStatusAsync(trigger.Id)).Unwrap();
        Assert.True(paused.Paused);
        Assert.Null(paused.NextFire);
        Assert.Empty((await fx.Api.NextFiresAsync(trigger.Id)).Unwrap());
        Assert.Null((await fx.Api.StatusAsync(ev)).Unwrap().NextRun); // its only trigger is paused
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.SetTriggerPausedAsync(NewId("none"), true)).Error!.Kind);
        for (var i = 0; i < 10; i++) fx.Advance(TimeSpan.FromSeconds(10));
        fx.Advance(TimeSpan.FromSeconds(5));
        var still = (await fx.Api.TriggerStatusAsync(trigger.Id)).Unwrap();
        Assert.Equal((1L, 0L), (still.FireCount, still.MissCount)); // not even counting while paused

        (await fx.Api.SetTriggerPausedAsync(trigger.Id, false)).Unwrap();
        var resumed = await fx.WaitForTriggerAsync(trigger.Id, s => s.FireCount + s.MissCount >= 11);
        Assert.False(resumed.Paused);
        Assert.Equal((runsAt.Length, missed), (resumed.FireCount, resumed.MissCount));
        Assert.Equal(anchor.AddSeconds(120), resumed.NextFire);
        Assert.Equal(anchor.AddSeconds(120), (await fx.Api.StatusAsync(ev)).Unwrap().NextRun);
        await fx.WaitForHistoryAsync(ev, runsAt.Length);
        lock (seen) Assert.Equal(runsAt.Select(s => (DateTimeOffset?)anchor.AddSeconds(s)), seen.Select(c => c.ScheduledAt).Order());
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, trigger.Id))).Unwrap();
    }

    [Fact]
    public async Task No_drift_after_1000_fires()
    {
        var seen = new List<EventContext>();
        var seenCount = 0;
        var handler = ClusterFixture.Unique("drift");
        fx.Handlers.Register(handler, ctx => { lock (seen) seen.Add(ctx); Interlocked.Increment(ref seenCount); });
        var ev = new EventId(ClusterFixture.Unique("ev"));
        (await fx.Api.SaveEventAsync(new Event(ev, "drift", handler, new Policy(MaxConcurrency: 100)))).Unwrap();
        var interval = TimeSpan.FromMilliseconds(1500);
        var (id, anchor) = await AttachIntervalAsync(ev, interval);

        for (var k = 1; k <= 1000; k++)
        {
            // Wait for the job itself, not just the fire: it must be enqueued before time moves on.
            fx.Advance(interval);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (Volatile.Read(ref seenCount) < k && DateTime.UtcNow < deadline) await Task.Delay(1);
        }
        await fx.WaitForHistoryAsync(ev, 100);
        var status = await fx.WaitForTriggerAsync(id, s => s.FireCount == 1000);
        await Task.Delay(200);

        Assert.Equal(0, status.MissCount);
        Assert.Equal(anchor + interval * 1000, status.LastScheduledFor);
        List<EventContext> fired;
        lock (seen) fired = seen.OrderBy(c => c.ScheduledAt).ToList();
        Assert.Equal(1000, fired.Count);
        for (var k = 1; k <= 1000; k++)
        {
            Assert.Equal(anchor + interval * k, fired[k - 1].ScheduledAt);
            Assert.Equal(fired[k - 1].ScheduledAt, fired[k - 1].Ts); // enqueued at the scheduled instant: zero lateness
        }
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, id))).Unwrap();
    }

    [Fact]
    public async Task An_anchor_in_the_past_fires_on_its_grid_from_now_on_without_phantom_misses()
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var anchor = fx.Clock.GetUtcNow().AddSeconds(-95); // 9.5 intervals ago
        var trigger = new Trigger(NewId("past"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(10), Anchor: anchor);
        (await fx.Api.AttachTriggerAsync(ev, trigger)).Unwrap();

        var status = (await fx.Api.TriggerStatusAsync(trigger.Id)).Unwrap();
        Assert.Equal(anchor.AddSeconds(100), status.NextFire);
        await StepAsync(trigger.Id, TimeSpan.FromSeconds(5), 1);
        status = (await fx.Api.TriggerStatusAsync(trigger.Id)).Unwrap();
        Assert.Equal(0, status.MissCount);
        Assert.Equal(anchor.AddSeconds(100), status.LastScheduledFor);
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, trigger.Id))).Unwrap();
    }

    [Fact]
    public async Task At_fires_once_and_a_past_at_fires_at_once()
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var at = new Trigger(NewId("at"), TriggerKind.AT, At: fx.Clock.GetUtcNow().AddMinutes(5));
        var past = new Trigger(NewId("past"), TriggerKind.AT, At: fx.Clock.GetUtcNow().AddYears(-1));

        (await fx.Api.AttachTriggerAsync(ev, at)).Unwrap();
        (await fx.Api.AttachTriggerAsync(ev, past)).Unwrap();
        var pastStatus = await fx.WaitForTriggerAsync(past.Id, s => s.FireCount == 1);
        Assert.Equal(0, pastStatus.MissCount); // attached after its time: fired at once, not a miss
        fx.Advance(TimeSpan.FromMinutes(5));
        await fx.WaitForTriggerAsync(at.Id, s => s.FireCount == 1);
        fx.Advance(TimeSpan.FromDays(2));
        await Task.Delay(200);

        Assert.Equal(1, (await fx.Api.TriggerStatusAsync(at.Id)).Unwrap().FireCount);
        Assert.Equal(1, (await fx.Api.TriggerStatusAsync(past.Id)).Unwrap().FireCount);
        Assert.Equal(2, seen.Count);
    }

    [Theory]
    [InlineData(MisfirePolicy.Coalesce, 1)]
    [InlineData(MisfirePolicy.Skip, 0)]
    public async Task After_a_long_gap_coalesce_fires_once_and_skip_fires_none_and_both_count_every_miss(MisfirePolicy policy, int fires)
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var (id, anchor) = await AttachIntervalAsync(ev, TimeSpan.FromSeconds(10), misfire: policy);
        await StepAsync(id, TimeSpan.FromSeconds(10), 1);

        // Ten more fires fall due while nothing looks; when the trigger looks, the latest is 5 s late.
        fx.Advance(TimeSpan.FromSeconds(105));
        var status = await fx.WaitForTriggerAsync(id, s => s.MissCount > 0);
        await Task.Delay(200);
        status = (await fx.Api.TriggerStatusAsync(id)).Unwrap();

        Assert.Equal(10, status.MissCount);
        Assert.Equal(1 + fires, status.FireCount);
        Assert.Equal(1 + fires, seen.Count);
        Assert.Equal(anchor.AddSeconds(120), status.NextFire);
        var snapshot = (await fx.Api.MetricsSnapshotAsync()).Unwrap();
        Assert.Equal(10, snapshot.Counters.Single(c => c.Name == MetricNames.TriggerMisfires && c.Labels[MetricNames.TriggerIdLabel] == id.Value).Value);
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, id))).Unwrap();
    }

    [Fact]
    public async Task Jitter_delays_each_fire_within_its_bound()
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var (id, anchor) = await AttachIntervalAsync(ev, TimeSpan.FromSeconds(10), jitter: TimeSpan.FromSeconds(4));

        for (var k = 1; k <= 20; k++)
        {
            var next = (await fx.Api.TriggerStatusAsync(id)).Unwrap().NextFire!.Value;
            var offset = next - anchor.AddSeconds(10 * k);
            Assert.InRange(offset, TimeSpan.Zero, TimeSpan.FromSeconds(4) - TimeSpan.FromTicks(1));
            fx.Advance(next - fx.Clock.GetUtcNow());
            await fx.WaitForTriggerAsync(id, s => s.FireCount == k);
        }
        await fx.WaitForHistoryAsync(ev, 20);

        var offsets = seen.Select(c => c.ScheduledAt!.Value).Order().Select((t, i) => t - anchor.AddSeconds(10 * (i + 1))).ToList();
        Assert.All(offsets, o => Assert.InRange(o, TimeSpan.Zero, TimeSpan.FromSeconds(4)));
        Assert.True(offsets.Distinct().Count() > 10, "jitter should differ from fire to fire");
        Assert.Equal(0, (await fx.Api.TriggerStatusAsync(id)).Unwrap().MissCount);
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, id))).Unwrap();
    }

    [Fact]
    public async Task One_trigger_fans_out_to_its_two_events_and_never_to_a_third()
    {
        var a = new List<EventContext>();
        var b = new List<EventContext>();
        var c = new List<EventContext>();
        var evA = await fx.RecordingEventAsync(a);
        var evB = await fx.RecordingEventAsync(b);
        await fx.RecordingEventAsync(c);
        var trigger = new Trigger(NewId("fan"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(30));
        (await fx.Api.AttachTriggerAsync(evA, trigger)).Unwrap();
        (await fx.Api.AttachTriggerAsync(evB, trigger)).Unwrap();

        for (var k = 1; k <= 3; k++) await StepAsync(trigger.Id, TimeSpan.FromSeconds(30), k);
        await fx.WaitForHistoryAsync(evA, 3);
        await fx.WaitForHistoryAsync(evB, 3);

        Assert.Equal(3, a.Count);
        Assert.Equal(3, b.Count);
        Assert.Empty(c);
        Assert.All(a.Concat(b), ctx => Assert.Equal(trigger.Id, ctx.TriggerId));

        // Detached from A, the next fires reach B only.
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(evA, trigger.Id))).Unwrap();
        for (var k = 4; k <= 5; k++) await StepAsync(trigger.Id, TimeSpan.FromSeconds(30), k);
        await fx.WaitForHistoryAsync(evB, 5);
        Assert.Equal(3, a.Count);
        Assert.Equal(5, b.Count);

        // Detached from B too, the trigger is gone and nothing fires.
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(evB, trigger.Id))).Unwrap();
        fx.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(200);
        Assert.Equal(5, b.Count);
    }

    [Fact]
    public async Task An_inactive_trigger_never_fires_and_an_inactive_event_records_SKIPPED()
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var paused = await fx.RecordingEventAsync(seen, active: false);
        var off = new Trigger(NewId("off"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(10), Active: false);
        var on = new Trigger(NewId("on"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(10));
        (await fx.Api.AttachTriggerAsync(ev, off)).Unwrap();
        (await fx.Api.AttachTriggerAsync(paused, on)).Unwrap();

        for (var k = 1; k <= 3; k++) await StepAsync(on.Id, TimeSpan.FromSeconds(10), k);
        var history = await fx.WaitForHistoryAsync(paused, 3);

        Assert.Empty(seen);
        Assert.Equal(0, (await fx.Api.TriggerStatusAsync(off.Id)).Unwrap().FireCount);
        Assert.All(history, r => Assert.Equal(JobStatus.SKIPPED, r.Outcome.Status));
        Assert.Equal(3, (await fx.Api.MetricsSnapshotAsync()).Unwrap().Counter(MetricNames.JobsSkipped, paused));
        Assert.Null((await fx.Api.StatusAsync(ev)).Unwrap().NextRun);
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(paused, on.Id))).Unwrap();
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, off.Id))).Unwrap();
    }

    [Fact]
    public async Task The_schedule_survives_deactivation_and_reactivation()
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var (id, anchor) = await AttachIntervalAsync(ev, TimeSpan.FromSeconds(10));
        for (var k = 1; k <= 2; k++) await StepAsync(id, TimeSpan.FromSeconds(10), k);

        await fx.Cluster.Client.GetGrain<Grains.ITriggerGrain>(id.Value).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(300);
        // Reactivated (here by a status call; in production by its reminder), it resumes the same schedule.
        var status = (await fx.Api.TriggerStatusAsync(id)).Unwrap();
        Assert.Equal(2, status.FireCount);
        Assert.Equal(anchor.AddSeconds(30), status.NextFire);
        for (var k = 3; k <= 4; k++) await StepAsync(id, TimeSpan.FromSeconds(10), k);
        await fx.WaitForHistoryAsync(ev, 4);

        Assert.Equal(0, (await fx.Api.TriggerStatusAsync(id)).Unwrap().MissCount);
        Assert.Equal(Enumerable.Range(1, 4).Select(k => (DateTimeOffset?)anchor.AddSeconds(10 * k)), seen.Select(c => c.ScheduledAt).Order());
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, id))).Unwrap();
    }

    [Fact]
    public async Task A_deactivated_trigger_is_woken_by_its_reminder_and_fires()
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var (id, anchor) = await AttachIntervalAsync(ev, TimeSpan.FromSeconds(10));
        await StepAsync(id, TimeSpan.FromSeconds(10), 1);
        await fx.WaitForHistoryAsync(ev, 1);

        await fx.Cluster.Client.GetGrain<Grains.ITriggerGrain>(id.Value).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(300);
        fx.Advance(TimeSpan.FromSeconds(10)); // due now, but no activation holds a timer
        // Nobody calls the trigger grain (the event's history is read instead): only the reminder can bring it back.
        var history = await fx.WaitForHistoryAsync(ev, 2);

        Assert.Equal(2, history.Count);
        Assert.Equal(anchor.AddSeconds(20), seen.Max(c => c.ScheduledAt));
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, id))).Unwrap();
    }

    [Fact]
    public async Task A_far_trigger_sleeps_in_a_wake_bucket_and_a_near_one_registers_its_reminder_when_it_leaves_memory()
    {
        var ev = await fx.RecordingEventAsync([]);
        var far = new Trigger(NewId("far"), TriggerKind.INTERVAL, Interval: TimeSpan.FromHours(1));
        var near = new Trigger(NewId("near"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(10));
        (await fx.Api.AttachTriggerAsync(ev, far)).Unwrap();
        (await fx.Api.AttachTriggerAsync(ev, near)).Unwrap();
        var farNext = (await fx.Api.TriggerStatusAsync(far.Id)).Unwrap().NextFire!.Value;

        // The far trigger is listed in the bucket of WakeLead (10 s) before its fire (buckets are ReminderPeriod wide).
        var bucket = WakeBuckets.KeyFor(farNext - TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        await Eventually.MatchAsync(() => BucketIdsAsync(bucket), ids => ids.Contains(far.Id.Value), TimeSpan.FromSeconds(20), "bucket entry", 20);
        // Reminders run on real time; the bucket sets its first tick from the orchestrator's clock.
        var farDue = WakeBuckets.StartOf(bucket) - fx.Clock.GetUtcNow();
        var bucketEntry = await ReminderAsync(BucketGrainId(bucket), "convo-wake", e => e.StartAt > DateTime.UtcNow + TimeSpan.FromMinutes(30));
        Assert.InRange(bucketEntry.StartAt - DateTime.UtcNow, farDue - TimeSpan.FromSeconds(15), farDue + TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), bucketEntry.Period); // the fixture's ReminderPeriod: retries until all are woken
        // No reminder of its own: its ticks would keep the grain in memory.
        Assert.Null(await Table.ReadRow(TriggerGrainId(far.Id), "convo-trigger"));

        // A fire within ReminderPeriod + WakeLead keeps the grain in memory, its timer firing it. On this store (nothing
        // outlives the process) its reminder, the backstop ticking every period, is registered only when it leaves.
        Assert.Null(await Table.ReadRow(TriggerGrainId(near.Id), "convo-trigger"));
        await fx.Cluster.Client.GetGrain<Grains.ITriggerGrain>(near.Id.Value).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var nearEntry = await ReminderAsync(TriggerGrainId(near.Id), "convo-trigger", _ => true);
        Assert.True(nearEntry.StartAt < DateTime.UtcNow + TimeSpan.FromSeconds(5), $"near reminder starts at {nearEntry.StartAt:O}");
        Assert.Equal(TimeSpan.FromSeconds(1), nearEntry.Period);
        Assert.DoesNotContain(near.Id.Value, await BucketIdsAsync(WakeBuckets.KeyFor(fx.Clock.GetUtcNow() + TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1))));

        // Detaching the far trigger takes its bucket entry with it.
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, far.Id))).Unwrap();
        Assert.DoesNotContain(far.Id.Value, await BucketIdsAsync(bucket));
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, near.Id))).Unwrap();
    }

    [Fact]
    public async Task A_deactivated_far_trigger_is_woken_by_its_bucket_and_fires_on_time()
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        // 12 s is beyond ReminderPeriod + WakeLead (11 s): far. Its bucket starts 10 s before the fire, 2 s from now.
        var (id, anchor) = await AttachIntervalAsync(ev, TimeSpan.FromSeconds(12));
        var bucket = WakeBuckets.KeyFor(anchor.AddSeconds(2), TimeSpan.FromSeconds(1));
        await ReminderAsync(BucketGrainId(bucket), "convo-wake", _ => true);

        await fx.Cluster.Client.GetGrain<Grains.ITriggerGrain>(id.Value).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(300);
        fx.Advance(TimeSpan.FromSeconds(12)); // due now, but no activation holds a timer and the trigger has no reminder
        // Nobody calls the trigger grain: only its bucket's reminder (2 s of real time) can bring it back.
        var history = await fx.WaitForHistoryAsync(ev, 1);

        Assert.Single(history);
        Assert.Equal([anchor.AddSeconds(12)], seen.Select(c => c.ScheduledAt!.Value));
        Assert.Equal(0, (await fx.Api.TriggerStatusAsync(id)).Unwrap().MissCount);
        // The woken trigger left the bucket, and the emptied bucket dropped its reminder.
        await Eventually.MatchAsync(async () => (await BucketIdsAsync(bucket)).Count == 0 && await Table.ReadRow(BucketGrainId(bucket), "convo-wake") is null,
            done => done, TimeSpan.FromSeconds(20), "emptied bucket", 20);
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, id))).Unwrap();
    }

    [Fact]
    public async Task A_bucket_ticking_before_its_start_wakes_nobody_and_after_it_drops_only_answered_entries()
    {
        var ev = await fx.RecordingEventAsync([]);
        var far = new Trigger(NewId("far"), TriggerKind.INTERVAL, Interval: TimeSpan.FromHours(2));
        (await fx.Api.AttachTriggerAsync(ev, far)).Unwrap();
        var next = (await fx.Api.TriggerStatusAsync(far.Id)).Unwrap().NextFire!.Value;
        var bucket = WakeBuckets.KeyFor(next - TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        await ReminderAsync(BucketGrainId(bucket), "convo-wake", _ => true);
        // A trigger id listed with no trigger behind it (its removal raced the listing): resuming it answers true.
        await Silo.GetRequiredService<Runtime.Storage.ICatalogStore>().PutAsync(WakeBuckets.CatalogOf(bucket), "no-such-trigger", "");
        var remindable = fx.Cluster.Client.GetGrain<Grains.IWakeBucketGrain>(bucket).AsReference<IRemindable>();

        // A tick before the bucket's start (by the orchestrator's clock) wakes nobody and keeps every entry.
        await remindable.ReceiveReminder("convo-wake", new TickStatus(DateTime.UtcNow, TimeSpan.FromSeconds(1), DateTime.UtcNow));
        Assert.Equal(new[] { far.Id.Value, "no-such-trigger" }.Order(StringComparer.Ordinal), await BucketIdsAsync(bucket));
        Assert.NotNull(await Table.ReadRow(BucketGrainId(bucket), "convo-wake"));

        // At its start each trigger is resumed: near its fire now, it stays in memory on its timer (on this store its
        // own reminder waits until it leaves memory), and the entries go.
        fx.Advance(WakeBuckets.StartOf(bucket) - fx.Clock.GetUtcNow());
        await remindable.ReceiveReminder("convo-wake", new TickStatus(DateTime.UtcNow, TimeSpan.FromSeconds(1), DateTime.UtcNow));
        Assert.Empty(await BucketIdsAsync(bucket));
        Assert.Null(await Table.ReadRow(TriggerGrainId(far.Id), "convo-trigger"));
        Assert.Null(await Table.ReadRow(BucketGrainId(bucket), "convo-wake"));

        // It fires on time, then sleeps in the bucket of its next fire.
        await StepAsync(far.Id, next - fx.Clock.GetUtcNow(), 1);
        var following = WakeBuckets.KeyFor(next.AddHours(2) - TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        await Eventually.MatchAsync(() => BucketIdsAsync(following), ids => ids.Contains(far.Id.Value), TimeSpan.FromSeconds(20), "next bucket entry", 20);
        Assert.Equal(0, (await fx.Api.TriggerStatusAsync(far.Id)).Unwrap().MissCount);
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, far.Id))).Unwrap();
    }

    private IServiceProvider Silo => ((InProcessSiloHandle)fx.Cluster.Silos[0]).ServiceProvider;

    private IReminderTable Table => Silo.GetRequiredService<IReminderTable>();

    private GrainId TriggerGrainId(TriggerId id) => fx.Cluster.Client.GetGrain<Grains.ITriggerGrain>(id.Value).GetGrainId();

    private GrainId BucketGrainId(long bucket) => fx.Cluster.Client.GetGrain<Grains.IWakeBucketGrain>(bucket).GetGrainId();

    private async Task<List<string>> BucketIdsAsync(long bucket) =>
        (await Silo.GetRequiredService<Runtime.Storage.ICatalogStore>().ListAsync(WakeBuckets.CatalogOf(bucket), null, 1000)).Select(e => e.Id).ToList();

    private Task<ReminderEntry> ReminderAsync(GrainId grainId, string name, Func<ReminderEntry, bool> done) =>
        Eventually.MatchAsync(async () => await Table.ReadRow(grainId, name) ?? new ReminderEntry(), e => e.GrainId == grainId && done(e),
            TimeSpan.FromSeconds(20), $"reminder {name} of {grainId}", 20);

    [Fact]
    public async Task Cron_with_seconds_fires_on_its_occurrences()
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var cron = new Trigger(NewId("cron"), TriggerKind.Cron, Cron: "*/15 * * * * *", TimeZone: "Europe/Berlin");
        (await fx.Api.AttachTriggerAsync(ev, cron)).Unwrap();

        for (var k = 1; k <= 4; k++)
        {
            var next = (await fx.Api.TriggerStatusAsync(cron.Id)).Unwrap().NextFire!.Value;
            Assert.Equal(0, next.Second % 15);
            fx.Advance(next - fx.Clock.GetUtcNow());
            await fx.WaitForTriggerAsync(cron.Id, s => s.FireCount == k);
        }
        await fx.WaitForHistoryAsync(ev, 4);

        var times = seen.Select(c => c.ScheduledAt!.Value).Order().ToList();
        for (var i = 1; i < times.Count; i++) Assert.Equal(TimeSpan.FromSeconds(15), times[i] - times[i - 1]);
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, cron.Id))).Unwrap();
    }

    [Fact]
    public async Task Cron_fires_once_across_the_autumn_DST_repeat_in_Berlin()
    {
        // 2026-10-25: Berlin falls back at 03:00 CEST to 02:00 CET, so 02:30 local happens twice.
        var eve = new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero);
        if (fx.Clock.GetUtcNow() < eve) fx.Advance(eve - fx.Clock.GetUtcNow());
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var cron = new Trigger(NewId("dst"), TriggerKind.Cron, Cron: "0 30 2 * * *", TimeZone: "Europe/Berlin");
        (await fx.Api.AttachTriggerAsync(ev, cron)).Unwrap();

        var expected = new[]
        {
            new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), // 02:30 CEST, the first of the two
            new DateTimeOffset(2026, 10, 26, 1, 30, 0, TimeSpan.Zero), // 02:30 CET, the next day
        };
        for (var k = 1; k <= expected.Length; k++)
        {
            var next = (await fx.Api.TriggerStatusAsync(cron.Id)).Unwrap().NextFire!.Value;
            Assert.Equal(expected[k - 1], next);
            fx.Advance(next - fx.Clock.GetUtcNow());
            await fx.WaitForTriggerAsync(cron.Id, s => s.FireCount == k);
        }
        await fx.WaitForHistoryAsync(ev, 2);

        Assert.Equal(expected, seen.Select(c => c.ScheduledAt!.Value).Order());
        Assert.Equal(0, (await fx.Api.TriggerStatusAsync(cron.Id)).Unwrap().MissCount);
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, cron.Id))).Unwrap();
    }

    [Fact]
    public async Task Condition_fires_on_each_false_to_true_edge()
    {
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var flag = false;
        var name = ClusterFixture.Unique("cond");
        fx.Conditions.Register(name, () => Volatile.Read(ref flag));
        var trigger = new Trigger(NewId("cond"), TriggerKind.CONDITION, Interval: TimeSpan.FromSeconds(1), Condition: name);
        (await fx.Api.AttachTriggerAsync(ev, trigger)).Unwrap();

        async Task PollAsync(int polls)
        {
            for (var i = 0; i < polls; i++)
            {
                fx.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(30);
            }
        }

        await PollAsync(3);
        Assert.Equal(0, (await fx.Api.TriggerStatusAsync(trigger.Id)).Unwrap().FireCount);
        Volatile.Write(ref flag, true);
        fx.Advance(TimeSpan.FromSeconds(1));
        await fx.WaitForTriggerAsync(trigger.Id, s => s.FireCount == 1);
        await PollAsync(3); // still true: no new edge
        Assert.Equal(1, (await fx.Api.TriggerStatusAsync(trigger.Id)).Unwrap().FireCount);
        Volatile.Write(ref flag, false);
        await PollAsync(2);
        Volatile.Write(ref flag, true);
        fx.Advance(TimeSpan.FromSeconds(1));
        await fx.WaitForTriggerAsync(trigger.Id, s => s.FireCount == 2);
        await fx.WaitForHistoryAsync(ev, 2);

        Assert.Equal(2, seen.Count);
        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, trigger.Id))).Unwrap();
    }
}
