namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class TriggerScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static Trigger Interval(double seconds, double? jitter = null) => new(new TriggerId("tr"), TriggerKind.INTERVAL,
        Interval: TimeSpan.FromSeconds(seconds), Jitter: jitter is { } j ? TimeSpan.FromSeconds(j) : null, Anchor: T0);

    [Fact]
    public void Interval_fires_at_anchor_plus_k_intervals_without_drift()
    {
        var t = Interval(0.2);
        var at = T0;
        for (var k = 1; k <= 10_000; k++)
        {
            var next = TriggerSchedule.NextFire(t, at)!.Value;
            Assert.Equal(T0 + TimeSpan.FromTicks(TimeSpan.FromSeconds(0.2).Ticks * k), next);
            at = next;
        }
        Assert.Equal(T0.AddSeconds(2000), at);
    }

    [Fact]
    public void Interval_does_not_fire_at_the_anchor_itself()
    {
        Assert.Equal(T0.AddSeconds(10), TriggerSchedule.NextFire(Interval(10), T0));
        Assert.Equal(T0.AddSeconds(10), TriggerSchedule.NextFire(Interval(10), T0.AddSeconds(-5)));
        Assert.Equal((0L, (DateTimeOffset?)null), TriggerSchedule.Due(Interval(10), null, T0.AddSeconds(9.999)));
    }

    [Fact]
    public void Due_counts_every_fire_in_a_gap_and_names_the_latest()
    {
        var t = Interval(1);
        Assert.Equal((5L, (DateTimeOffset?)T0.AddSeconds(5)), TriggerSchedule.Due(t, null, T0.AddSeconds(5.5)));
        Assert.Equal((3L, (DateTimeOffset?)T0.AddSeconds(5)), TriggerSchedule.Due(t, T0.AddSeconds(2), T0.AddSeconds(5)));
        Assert.Equal((0L, (DateTimeOffset?)null), TriggerSchedule.Due(t, T0.AddSeconds(5), T0.AddSeconds(5.9)));
        Assert.Equal(3600L, TriggerSchedule.Due(t, null, T0.AddHours(1)).Count);
    }

    [Fact]
    public void Jitter_stays_within_its_bound_is_stable_and_keeps_fires_in_order()
    {
        var t = Interval(1, jitter: 0.3);
        var previous = T0;
        var offsets = new HashSet<long>();
        for (var k = 1; k <= 2000; k++)
        {
            var next = TriggerSchedule.NextFire(t, previous)!.Value;
            var offset = next - T0.AddSeconds(k);
            Assert.InRange(offset, TimeSpan.Zero, TimeSpan.FromSeconds(0.3));
            Assert.True(offset < TimeSpan.FromSeconds(0.3));
            Assert.Equal(next, TriggerSchedule.NextFire(t, previous)); // the same every time it is asked
            offsets.Add(offset.Ticks);
            previous = next;
        }
        Assert.True(offsets.Count > 1900, "offsets should vary from fire to fire");
        Assert.Equal(2000L, TriggerSchedule.Due(t, null, previous).Count);
    }

    [Fact]
    public void At_fires_once_and_a_past_at_fires_at_the_attach_time()
    {
        var future = new Trigger(new TriggerId("at"), TriggerKind.AT, At: T0.AddMinutes(5), Anchor: T0);
        Assert.Equal(T0.AddMinutes(5), TriggerSchedule.NextFire(future, T0));
        Assert.Null(TriggerSchedule.NextFire(future, T0.AddMinutes(5)));
        Assert.Equal((1L, (DateTimeOffset?)T0.AddMinutes(5)), TriggerSchedule.Due(future, null, T0.AddMinutes(6)));
        Assert.Equal(0L, TriggerSchedule.Due(future, T0.AddMinutes(5), T0.AddMinutes(60)).Count);

        var past = new Trigger(new TriggerId("at"), TriggerKind.AT, At: T0.AddDays(-1), Anchor: T0);
        Assert.Equal((1L, (DateTimeOffset?)T0), TriggerSchedule.Due(past, null, T0));
    }

    [Fact]
    public void Cron_with_seconds_in_a_zone_skips_and_does_not_repeat_across_DST()
    {
        // Europe/Berlin springs forward on 2026-03-29 at 02:00 -> 03:00 and falls back on 2026-10-25 at 03:00 -> 02:00.
        var daily = new Trigger(new TriggerId("cron"), TriggerKind.Cron, Cron: "0 30 2 * * *", TimeZone: "Europe/Berlin",
            Anchor: new DateTimeOffset(2026, 3, 27, 0, 0, 0, TimeSpan.Zero));
        var fires = new List<DateTimeOffset>();
        var at = daily.Anchor!.Value;
        for (var i = 0; i < 4; i++) fires.Add(at = TriggerSchedule.NextFire(daily, at)!.Value);

        // 02:30 does not exist on 29 March: Cronos fires at the shifted 03:00 CEST (01:00 UTC) that day.
        Assert.Equal(new DateTimeOffset(2026, 3, 27, 1, 30, 0, TimeSpan.Zero), fires[0]); // 02:30 CET
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 1, 30, 0, TimeSpan.Zero), fires[1]);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), fires[2]);
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 0, 30, 0, TimeSpan.Zero), fires[3]); // 02:30 CEST

        // 02:30 happens twice on 25 October: it fires once.
        var autumn = daily with { Anchor = new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero) };
        var oct25 = TriggerSchedule.NextFire(autumn, autumn.Anchor!.Value)!.Value;
        var oct26 = TriggerSchedule.NextFire(autumn, oct25)!.Value;
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), oct25); // 02:30 CEST
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 1, 30, 0, TimeSpan.Zero), oct26); // 02:30 CET, next day
    }

    [Fact]
    public void Cron_counts_missed_occurrences()
    {
        var everySecond = new Trigger(new TriggerId("c"), TriggerKind.Cron, Cron: "* * * * * *", Anchor: T0);
        Assert.Equal((10L, (DateTimeOffset?)T0.AddSeconds(10)), TriggerSchedule.Due(everySecond, null, T0.AddSeconds(10.5)));
        var fiveFields = new Trigger(new TriggerId("c"), TriggerKind.Cron, Cron: "*/5 * * * *", Anchor: T0);
        Assert.Equal(T0.AddMinutes(5), TriggerSchedule.NextFire(fiveFields, T0));
    }

    [Fact]
    public void External_and_condition_have_no_schedule()
    {
        Assert.Null(TriggerSchedule.NextFire(new Trigger(new TriggerId("e"), TriggerKind.EXTERNAL), T0));
        Assert.Null(TriggerSchedule.NextFire(new Trigger(new TriggerId("c"), TriggerKind.CONDITION, Condition: "p"), T0));
    }
}

public sealed class MisfirePlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);

    private static Trigger Every10s(MisfirePolicy policy = MisfirePolicy.Coalesce) =>
        new(new TriggerId("tr"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(10), Anchor: T0, Misfire: policy);

    [Fact]
    public void An_on_time_fire_is_made_and_nothing_is_missed()
    {
        var plan = MisfirePlanner.Plan(Every10s(), null, T0.AddSeconds(10.002), Threshold);
        Assert.Equal(new FirePlan(T0.AddSeconds(10), false, 0, T0.AddSeconds(10)), plan);
    }

    [Fact]
    public void After_a_long_gap_coalesce_fires_once_and_counts_every_miss()
    {
        var plan = MisfirePlanner.Plan(Every10s(), T0.AddSeconds(10), T0.AddSeconds(65), Threshold);
        Assert.Equal(new FirePlan(T0.AddSeconds(60), true, 5, T0.AddSeconds(60)), plan);
    }

    [Fact]
    public void After_a_long_gap_skip_fires_nothing_and_counts_every_miss()
    {
        var plan = MisfirePlanner.Plan(Every10s(MisfirePolicy.Skip), T0.AddSeconds(10), T0.AddSeconds(65), Threshold);
        Assert.Equal(new FirePlan(null, false, 5, T0.AddSeconds(60)), plan);
    }

    [Fact]
    public void When_the_latest_is_on_time_only_the_earlier_ones_are_missed()
    {
        var plan = MisfirePlanner.Plan(Every10s(MisfirePolicy.Skip), T0.AddSeconds(10), T0.AddSeconds(40.5), Threshold);
        Assert.Equal(new FirePlan(T0.AddSeconds(40), false, 2, T0.AddSeconds(40)), plan);
    }

    [Fact]
    public void Nothing_due_changes_nothing()
    {
        var plan = MisfirePlanner.Plan(Every10s(), T0.AddSeconds(10), T0.AddSeconds(19), Threshold);
        Assert.Equal(new FirePlan(null, false, 0, T0.AddSeconds(10)), plan);
    }

    // A 60 s outage: the last fire dealt with was at 0 s, the cluster is back at 65 s; fires at 10..60 s are due.
    [Theory]
    [InlineData(MisfirePolicy.Coalesce, null, new[] { 60 }, 6)]
    [InlineData(MisfirePolicy.Coalesce, 0.0, new int[0], 6)]
    [InlineData(MisfirePolicy.Coalesce, 30.0, new[] { 60 }, 6)]
    [InlineData(MisfirePolicy.Coalesce, 600.0, new[] { 60 }, 6)]
    [InlineData(MisfirePolicy.RunAll, 0.0, new int[0], 6)]
    [InlineData(MisfirePolicy.RunAll, 30.0, new[] { 40, 50, 60 }, 3)]
    [InlineData(MisfirePolicy.RunAll, 600.0, new[] { 10, 20, 30, 40, 50, 60 }, 0)]
    public void The_catch_up_window_decides_which_missed_fires_run(MisfirePolicy policy, double? windowSeconds, int[] firesAt, long missed)
    {
        var trigger = Every10s(policy) with { CatchUpWindow = windowSeconds is { } w ? TimeSpan.FromSeconds(w) : null };
        var plan = MisfirePlanner.Plan(trigger, T0, T0.AddSeconds(65), Threshold);
        var fired = (plan.CatchUp ?? []).ToList();
        if (plan.FireFor is { } last) fired.Add(last);
        Assert.Equal(firesAt.Select(s => T0.AddSeconds(s)), fired);
        Assert.Equal(missed, plan.Missed);
        Assert.Equal(T0.AddSeconds(60), plan.HandledUpTo);
    }

    [Fact]
    public void RunAll_with_the_latest_on_time_also_runs_the_earlier_ones_within_the_window()
    {
        var trigger = Every10s(MisfirePolicy.RunAll) with { CatchUpWindow = TimeSpan.FromSeconds(25) };
        var plan = MisfirePlanner.Plan(trigger, T0, T0.AddSeconds(60.5), Threshold);
        Assert.Equal(T0.AddSeconds(60), plan.FireFor);
        Assert.Equal([T0.AddSeconds(40), T0.AddSeconds(50)], plan.CatchUp);
        Assert.Equal(3, plan.Missed); // 10, 20 and 30 s lie before the window
    }

    [Fact]
    public void RunAll_makes_at_most_the_latest_MaxCatchUp_fires_however_long_the_window()
    {
        var everySecond = new Trigger(new TriggerId("tr"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(1), Anchor: T0,
            Misfire: MisfirePolicy.RunAll, CatchUpWindow: TimeSpan.FromDays(300));
        var now = T0.AddDays(200).AddSeconds(0.5);
        var plan = MisfirePlanner.Plan(everySecond, T0, now, Threshold);
        Assert.Equal(MisfirePlanner.MaxCatchUp - 1, plan.CatchUp!.Count);
        Assert.Equal(T0.AddDays(200), plan.FireFor);
        Assert.Equal(T0.AddDays(200).AddSeconds(-(MisfirePlanner.MaxCatchUp - 1)), plan.CatchUp[0]);
        Assert.Equal(200L * 86400 - MisfirePlanner.MaxCatchUp, plan.Missed);
    }

    [Fact]
    public void RunAll_without_a_window_is_refused()
    {
        var check = DefinitionValidator.Validate(Every10s(MisfirePolicy.RunAll));
        Assert.True(check.IsErr);
        Assert.Contains("catchUpWindow", check.Error.Message);
        Assert.True(DefinitionValidator.Validate(Every10s() with { CatchUpWindow = TimeSpan.FromSeconds(-1) }).IsErr);
    }
}
