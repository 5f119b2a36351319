using Orleans.ConvoOrchestrator.Runtime.Grains;
using Orleans.ConvoOrchestrator.Runtime.Triggers;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>A trigger's progress through its schedule, as the state it leaves, without a grain.</summary>
public sealed class TriggerProgressTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);

    private static Trigger Every(double seconds, MisfirePolicy misfire = MisfirePolicy.Skip) =>
        new(new TriggerId("tr"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(seconds), Anchor: T0.AddHours(-1), Misfire: misfire);

    [Fact]
    public void A_recurring_schedule_starts_at_the_attach_and_an_AT_in_the_past_stays_due()
    {
        var interval = new TriggerState();
        interval.Begin(Every(10), T0);
        Assert.Equal(T0, interval.HandledUpTo);
        Assert.Null(interval.TakeDue(Every(10), T0.AddSeconds(5), Threshold)); // fires before the attach are no misses

        var at = new TriggerState();
        var once = new Trigger(new TriggerId("at"), TriggerKind.AT, At: T0.AddMinutes(-5), Anchor: T0); // anchored at the attach
        at.Begin(once, T0);
        Assert.Null(at.HandledUpTo);
        Assert.Equal(T0, at.NextFire(once, T0));
        Assert.Equal(T0, at.TakeDue(once, T0, Threshold)?.FireFor);
        Assert.Null(at.NextFire(once, T0)); // fired once, nothing left
    }

    [Fact]
    public void An_on_time_fire_is_counted_with_the_instant_it_stands_for()
    {
        var state = new TriggerState();
        state.Begin(Every(10), T0);
        var plan = state.TakeDue(Every(10), T0.AddSeconds(10.2), Threshold);
        Assert.Equal(T0.AddSeconds(10), plan?.FireFor);
        Assert.Equal((1L, 0L), (state.FireCount, state.MissCount));
        Assert.Equal(T0.AddSeconds(10.2), state.LastFiredAt);
        Assert.Equal(T0.AddSeconds(10), state.LastScheduledFor);
        Assert.Equal(T0.AddSeconds(10), state.HandledUpTo);
        Assert.Null(state.TakeDue(Every(10), T0.AddSeconds(10.3), Threshold)); // the same fire is never taken twice
        Assert.Equal(T0.AddSeconds(20), state.NextFire(Every(10), T0.AddSeconds(10.3)));
    }

    [Fact]
    public void A_gap_counts_its_misses_and_coalesces_only_when_asked()
    {
        var skip = new TriggerState();
        skip.Begin(Every(1), T0);
        var plan = skip.TakeDue(Every(1), T0.AddSeconds(5.5), Threshold);
        Assert.Equal(T0.AddSeconds(5), plan?.FireFor); // the latest is on time: it fires, the 4 before are missed
        Assert.Equal((1L, 4L), (skip.FireCount, skip.MissCount));

        var late = new TriggerState();
        late.Begin(Every(1), T0);
        Assert.Null(late.TakeDue(Every(1), T0.AddSeconds(7.5), TimeSpan.FromMilliseconds(100))?.FireFor);
        Assert.Equal((0L, 7L), (late.FireCount, late.MissCount));

        var coalesce = new TriggerState();
        coalesce.Begin(Every(1, MisfirePolicy.Coalesce), T0);
        var one = coalesce.TakeDue(Every(1, MisfirePolicy.Coalesce), T0.AddSeconds(7.5), TimeSpan.FromMilliseconds(100));
        Assert.True(one?.Coalesced);
        Assert.Equal((1L, 7L), (coalesce.FireCount, coalesce.MissCount));
        Assert.Equal(T0.AddSeconds(7), coalesce.HandledUpTo);
    }

    [Fact]
    public void A_due_fire_not_yet_made_is_the_next_one()
    {
        var state = new TriggerState();
        state.Begin(Every(10), T0);
        Assert.Equal(T0.AddSeconds(10), state.NextFire(Every(10), T0.AddSeconds(10.5)));
        Assert.Null(state.NextFire(Every(10) with { Active = false }, T0));
    }

    [Fact]
    public void The_preview_lists_the_fires_as_they_will_be_made_jitter_included()
    {
        var jittered = Every(10) with { Jitter = TimeSpan.FromSeconds(3) };
        var state = new TriggerState();
        state.Begin(jittered, T0);
        var preview = state.NextFires(jittered, T0, 50);
        Assert.Equal(50, preview.Count);
        var at = T0;
        foreach (var fire in preview)
        {
            Assert.Equal(TriggerSchedule.NextFire(jittered, at), fire);
            at = fire;
        }
        Assert.Contains(preview, f => f.Ticks % TimeSpan.TicksPerSecond != 0); // jitter is in it, not the bare grid
        // A fire due and not yet made comes first.
        Assert.Equal(state.NextFire(jittered, T0.AddSeconds(25)), state.NextFires(jittered, T0.AddSeconds(25), 1).Single());
    }

    [Fact]
    public void The_preview_of_a_cron_follows_its_time_zone_across_a_DST_change()
    {
        // 02:30 Berlin time every day; on 2026-03-29 the clocks jump from 02:00 to 03:00, so that day has no 02:30.
        var nightly = new Trigger(new TriggerId("nightly"), TriggerKind.Cron, Cron: "0 30 2 * * *", TimeZone: "Europe/Berlin",
            Anchor: new DateTimeOffset(2026, 3, 26, 12, 0, 0, TimeSpan.Zero));
        var fires = new TriggerState().NextFires(nightly, new DateTimeOffset(2026, 3, 26, 12, 0, 0, TimeSpan.Zero), 5);
        Assert.Equal(
        [
            new DateTimeOffset(2026, 3, 27, 1, 30, 0, TimeSpan.Zero), // 02:30 CET
            new DateTimeOffset(2026, 3, 28, 1, 30, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), // the skipped 02:30 runs at 03:00 CEST
            new DateTimeOffset(2026, 3, 30, 0, 30, 0, TimeSpan.Zero), // 02:30 CEST
            new DateTimeOffset(2026, 3, 31, 0, 30, 0, TimeSpan.Zero),
        ], fires);
    }

    [Fact]
    public void Triggers_without_a_schedule_or_with_none_left_preview_nothing()
    {
        var at = new Trigger(new TriggerId("at"), TriggerKind.AT, At: T0.AddMinutes(5), Anchor: T0);
        var state = new TriggerState();
        Assert.Equal([T0.AddMinutes(5)], state.NextFires(at, T0, 10));
        state.TakeDue(at, T0.AddMinutes(5), Threshold);
        Assert.Empty(state.NextFires(at, T0.AddMinutes(6), 10));
        Assert.Empty(new TriggerState().NextFires(new Trigger(new TriggerId("x"), TriggerKind.EXTERNAL), T0, 10));
        Assert.Empty(new TriggerState().NextFires(Every(10) with { Active = false }, T0, 10));
    }

    [Fact]
    public void A_condition_fires_on_its_rising_edge_only()
    {
        var state = new TriggerState();
        Assert.False(state.TakeCondition(false, T0, out var fire));
        Assert.False(fire);
        Assert.True(state.TakeCondition(true, T0.AddSeconds(1), out fire));
        Assert.True(fire);
        Assert.False(state.TakeCondition(true, T0.AddSeconds(2), out fire)); // still true: no new fire
        Assert.True(state.TakeCondition(false, T0.AddSeconds(3), out fire)); // fell: stored, no fire
        Assert.False(fire);
        Assert.True(state.TakeCondition(true, T0.AddSeconds(4), out fire));
        Assert.True(fire);
        Assert.Equal(2, state.FireCount);
        Assert.Equal(T0.AddSeconds(4), state.LastScheduledFor);
    }

    [Fact]
    public void An_external_fire_counts_without_a_scheduled_instant()
    {
        var state = new TriggerState();
        state.Fired(T0);
        Assert.Equal(1, state.FireCount);
        Assert.Equal(T0, state.LastFiredAt);
        Assert.Null(state.LastScheduledFor);
    }
    [Fact]
    public void Fires_within_the_lead_are_taken_ahead_on_time_and_past_ones_are_judged_as_without_a_lead()
    {
        var lead = TimeSpan.FromMilliseconds(50);
        var state = new TriggerState();
        state.Begin(Every(10), T0);
        // 30 ms before the fire at 10 s: it is taken ahead, for its own instant, and is no miss.
        var now = T0.AddSeconds(9.97);
        Assert.Null(state.TakeDue(Every(10), now, Threshold));
        Assert.Equal([T0.AddSeconds(10)], state.TakeAhead(Every(10), now, lead, Threshold));
        Assert.Equal((1L, 0L), (state.FireCount, state.MissCount));
        Assert.Equal(T0.AddSeconds(10), state.LastScheduledFor);
        Assert.Equal(now, state.LastFiredAt);
        Assert.Equal(T0.AddSeconds(10), state.HandledUpTo);
        // Never taken twice: not ahead again, nor when its instant comes.
        Assert.Empty(state.TakeAhead(Every(10), now, lead, Threshold));
        Assert.Null(state.TakeDue(Every(10), T0.AddSeconds(10.001), Threshold));
        Assert.Equal(T0.AddSeconds(20), state.NextWake(Every(10), now));

        // Nothing within the lead: nothing taken. A lead of zero takes nothing.
        Assert.Empty(state.TakeAhead(Every(10), T0.AddSeconds(10.5), lead, Threshold));
        Assert.Empty(state.TakeAhead(Every(10), T0.AddSeconds(10.99), TimeSpan.Zero, Threshold));

        // Each fire in a lead longer than the interval, in order, none missed.
        var dense = new TriggerState();
        var every10ms = new Trigger(new TriggerId("tr"), TriggerKind.INTERVAL, Interval: TimeSpan.FromMilliseconds(10), Anchor: T0);
        dense.Begin(every10ms, T0);
        Assert.Equal([T0.AddMilliseconds(10), T0.AddMilliseconds(20), T0.AddMilliseconds(30)], dense.TakeAhead(every10ms, T0.AddMilliseconds(1), TimeSpan.FromMilliseconds(30), Threshold));
        Assert.Equal(0L, dense.MissCount);
    }

    [Fact]
    public void A_lead_changes_no_misfire_count_and_a_paused_trigger_takes_nothing_ahead()
    {
        var lead = TimeSpan.FromMilliseconds(50);
        var state = new TriggerState();
        state.Begin(Every(1), T0);
        // Woken 5.98 s after the attach: fires 1..5 s are due (4 missed, 5 s fires), 6 s is taken ahead.
        var now = T0.AddSeconds(5.98);
        var plan = state.TakeDue(Every(1), now, Threshold);
        Assert.Equal((T0.AddSeconds(5), 4L), (plan?.FireFor, plan?.Missed));
        Assert.Equal([T0.AddSeconds(6)], state.TakeAhead(Every(1), now, lead, Threshold));
        Assert.Equal((2L, 4L), (state.FireCount, state.MissCount));

        state.Paused = true;
        Assert.Empty(state.TakeAhead(Every(1), T0.AddSeconds(6.98), lead, Threshold));
        var at = new Trigger(new TriggerId("at"), TriggerKind.AT, At: T0.AddSeconds(30), Anchor: T0);
        var once = new TriggerState();
        once.Begin(at, T0);
        Assert.Equal([T0.AddSeconds(30)], once.TakeAhead(at, T0.AddSeconds(29.99), lead, Threshold));
        Assert.Null(once.NextFire(at, T0.AddSeconds(29.99))); // an AT taken ahead has fired
    }
}
