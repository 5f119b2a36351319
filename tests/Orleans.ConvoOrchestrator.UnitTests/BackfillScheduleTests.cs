using Orleans.ConvoOrchestrator.Runtime.Triggers;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>
/// The instants a backfill runs, as plain functions: INTERVAL (before its anchor too), Cron in its time zone across DST,
/// AT, calendars, jitter, the bound and where to go on, and what is refused.
/// </summary>
public sealed class BackfillScheduleTests
{
    private static readonly TimeSpan MaxRange = TimeSpan.FromDays(366);

    private static DateTimeOffset Utc(int y, int mo, int d, int h = 0, int mi = 0) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    private static Trigger Every(TimeSpan interval, DateTimeOffset anchor, TimeSpan? jitter = null, params string[] calendars) =>
        new(new TriggerId("tr-bf"), TriggerKind.INTERVAL, Interval: interval, Anchor: anchor, Jitter: jitter, Calendars: calendars);

    [Fact]
    public void An_interval_lists_each_fire_in_from_to_once_from_included_to_excluded_also_before_its_anchor()
    {
        // Anchored at 10:00, every 15 min: the backfill reaches back before the anchor, on the same grid.
        var trigger = Every(TimeSpan.FromMinutes(15), Utc(2026, 6, 1, 10));

        var plan = BackfillSchedule.Plan(trigger, Utc(2026, 6, 1, 9), Utc(2026, 6, 1, 10), null, 10_000);

        Assert.Equal([Utc(2026, 6, 1, 9), Utc(2026, 6, 1, 9, 15), Utc(2026, 6, 1, 9, 30), Utc(2026, 6, 1, 9, 45)], plan.Instants);
        Assert.False(plan.Cut);
        Assert.Null(plan.ResumeFrom);
        // A range between grid points starts at the next one.
        Assert.Equal([Utc(2026, 6, 1, 9, 15)], BackfillSchedule.Plan(trigger, Utc(2026, 6, 1, 9, 1), Utc(2026, 6, 1, 9, 16), null, 10).Instants);
        Assert.Empty(BackfillSchedule.Plan(trigger, Utc(2026, 6, 1, 9, 1), Utc(2026, 6, 1, 9, 15), null, 10).Instants);
    }

    [Fact]
    public void Interval_instants_after_the_anchor_are_the_ones_the_live_schedule_fires_jitter_included()
    {
        var trigger = Every(TimeSpan.FromMinutes(10), Utc(2026, 1, 1), jitter: TimeSpan.FromMinutes(3));
        var (from, to) = (Utc(2026, 1, 2, 5, 7), Utc(2026, 1, 2, 9, 3));

        var plan = BackfillSchedule.Plan(trigger, from, to, null, 10_000);

        var live = new List<DateTimeOffset>();
        for (var at = TriggerSchedule.NextFire(trigger, from.AddTicks(-1)); at is { } fire && fire < to; at = TriggerSchedule.NextFire(trigger, fire))
            live.Add(fire);
        Assert.Equal(live, plan.Instants);
        Assert.Equal(24, plan.Instants.Count);
        Assert.Contains(plan.Instants, i => i.Minute % 10 != 0); // the jitter is really there
    }

    [Fact]
    public void Jitter_before_the_anchor_keeps_each_fire_within_its_own_interval_and_in_order()
    {
        var trigger = Every(TimeSpan.FromSeconds(10), Utc(2026, 6, 1), jitter: TimeSpan.FromSeconds(9));

        var plan = BackfillSchedule.Plan(trigger, Utc(2026, 5, 31, 23), Utc(2026, 6, 1), null, 10_000);

        Assert.Equal(360, plan.Instants.Count);
        Assert.Equal(plan.Instants.Order(), plan.Instants);
        for (var i = 0; i < plan.Instants.Count; i++)
        {
            var slot = Utc(2026, 5, 31, 23).AddSeconds(10 * i);
            Assert.InRange(plan.Instants[i], slot, slot.AddSeconds(9));
        }
    }

    [Fact]
    public void A_cron_trigger_lists_its_occurrences_in_its_time_zone_across_a_DST_change()
    {
        // 02:30 and 12:00 every day in Berlin; on 29 March 2026 02:30 does not exist (clocks go 02:00 -> 03:00).
        var trigger = new Trigger(new TriggerId("tr-cron"), TriggerKind.Cron, Cron: "0 30 2,12 * * *", TimeZone: "Europe/Berlin", Anchor: Utc(2026, 6, 1));

        var plan = BackfillSchedule.Plan(trigger, Utc(2026, 3, 28), Utc(2026, 3, 30), null, 10_000);

        // CET (UTC+1) on the 28th, CEST (UTC+2) from the 29th; the skipped 02:30 runs at the jump, 03:00 CEST.
        Assert.Equal([Utc(2026, 3, 28, 1, 30), Utc(2026, 3, 28, 11, 30), Utc(2026, 3, 29, 1, 0), Utc(2026, 3, 29, 10, 30)], plan.Instants);
    }

    [Fact]
    public void An_AT_trigger_lists_its_instant_when_it_lies_in_the_range()
    {
        var at = new Trigger(new TriggerId("tr-at"), TriggerKind.AT, At: Utc(2026, 5, 3, 4, 5), Anchor: Utc(2026, 5, 20));

        Assert.Equal([Utc(2026, 5, 3, 4, 5)], BackfillSchedule.Plan(at, Utc(2026, 5, 3, 4, 5), Utc(2026, 5, 4), null, 10).Instants);
        Assert.Empty(BackfillSchedule.Plan(at, Utc(2026, 5, 1), Utc(2026, 5, 3, 4, 5), null, 10).Instants);
        Assert.Empty(BackfillSchedule.Plan(at, Utc(2026, 5, 4), Utc(2026, 5, 5), null, 10).Instants);
    }

    [Fact]
    public void Calendars_leave_out_the_instants_they_exclude_in_their_own_time_zone()
    {
        // Business hours 09:00-17:00 in New York (EDT, UTC-4 in June), weekends off: 13:00-21:00 UTC Monday to Friday.
        var office = ExclusionCalendars.From([new Calendar("ny-office",
        [
            new CalendarRule(CalendarRuleKind.OutsideDailyWindow, Start: new TimeOnly(9, 0), End: new TimeOnly(17, 0)),
            new CalendarRule(CalendarRuleKind.Cron, Cron: "* * * * 0,6"),
        ], TimeZone: "America/New_York")]).Unwrap();
        var hourly = Every(TimeSpan.FromHours(1), Utc(2026, 1, 1), calendars: "ny-office");

        // Friday 5 June 2026 to Tuesday 9 June: Friday's and Monday's eight hours, nothing on the weekend.
        var plan = BackfillSchedule.Plan(hourly, Utc(2026, 6, 5), Utc(2026, 6, 9), office, 10_000);

        var expected = Enumerable.Range(13, 8).Select(h => Utc(2026, 6, 5, h)).Concat(Enumerable.Range(13, 8).Select(h => Utc(2026, 6, 8, h)));
        Assert.Equal(expected, plan.Instants);
        Assert.False(plan.Cut);
    }

    [Fact]
    public void More_fires_than_the_bound_are_cut_after_the_bound_and_resume_from_the_first_left_out()
    {
        var trigger = Every(TimeSpan.FromMinutes(1), Utc(2026, 1, 1));
        var (from, to) = (Utc(2026, 2, 1), Utc(2026, 2, 2)); // 1,440 fires

        var first = BackfillSchedule.Plan(trigger, from, to, null, 1000);

        Assert.Equal(1000, first.Instants.Count);
        Assert.True(first.Cut);
        Assert.Equal(from.AddMinutes(1000), first.ResumeFrom);
        Assert.Equal(from.AddMinutes(999), first.Instants[^1]);
        // Going on from there lists the rest, and together they are the whole range, once each.
        var rest = BackfillSchedule.Plan(trigger, first.ResumeFrom!.Value, to, null, 1000);
        Assert.False(rest.Cut);
        Assert.Equal(Enumerable.Range(0, 1440).Select(m => from.AddMinutes(m)), first.Instants.Concat(rest.Instants));
        // Exactly as many as the bound is not cut.
        Assert.False(BackfillSchedule.Plan(trigger, from, to, null, 1440).Cut);
    }

    [Fact]
    public void A_calendar_needing_too_many_jumps_cuts_the_plan_where_its_search_got_to()
    {
        // Each odd minute is excluded: one jump per excluded fire of a one-minute interval.
        var odd = ExclusionCalendars.From([new Calendar("odd", [new CalendarRule(CalendarRuleKind.Cron, Cron: "1-59/2 * * * *")])]).Unwrap();
        var trigger = Every(TimeSpan.FromMinutes(1), Utc(2026, 1, 1), calendars: "odd");
        var (from, to) = (Utc(2026, 1, 1), Utc(2026, 2, 1));

        var plan = BackfillSchedule.Plan(trigger, from, to, odd, 100_000);

        Assert.True(plan.Cut);
        Assert.Equal(BackfillSchedule.MaxCalendarSkips, plan.Instants.Count); // one fire before each jump
        Assert.All(plan.Instants, i => Assert.Equal(0, i.Minute % 2));
        Assert.True(plan.ResumeFrom > plan.Instants[^1]);
        var rest = BackfillSchedule.Plan(trigger, plan.ResumeFrom!.Value, to, odd, 100_000);
        Assert.Equal(plan.Instants[^1].AddMinutes(2), plan.ResumeFrom); // the excluded minute between them is jumped over
        Assert.Equal(plan.ResumeFrom, rest.Instants[0]); // nothing left out between the two
    }

    [Fact]
    public void Offsets_do_not_matter_the_same_instants_come_out_and_keys_are_per_instant()
    {
        var trigger = Every(TimeSpan.FromHours(6), new DateTimeOffset(2026, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)));
        var plan = BackfillSchedule.Plan(trigger, Utc(2026, 3, 1), Utc(2026, 3, 2), null, 10);

        Assert.Equal([Utc(2026, 3, 1, 0), Utc(2026, 3, 1, 6), Utc(2026, 3, 1, 12), Utc(2026, 3, 1, 18)], plan.Instants);
        var id = new TriggerId("tr-bf");
        Assert.Equal("backfill:tr-bf:2026-03-01T06:00:00.0000000+00:00", BackfillKeys.For(id, plan.Instants[1]));
        Assert.Equal(BackfillKeys.For(id, plan.Instants[1]), BackfillKeys.For(id, plan.Instants[1].ToOffset(TimeSpan.FromHours(-5))));
        Assert.Equal(plan.Instants.Count, plan.Instants.Select(i => BackfillKeys.For(id, i)).Distinct().Count());
        // A trigger id too long for a key is replaced by its hash; keys stay within 200 characters.
        var longKey = BackfillKeys.For(new TriggerId(new string('t', 200)), plan.Instants[0]);
        Assert.StartsWith("backfill:sha256:", longKey);
        Assert.True(longKey.Length <= 200);
    }

    [Fact]
    public void Keys_are_held_thirty_days_or_the_events_own_window_when_longer()
    {
        Assert.Equal(TimeSpan.FromDays(30), BackfillKeys.BackfillKeyWindow);
        Assert.Equal(TimeSpan.FromDays(30), BackfillKeys.HoldFor(new Policy()));
        Assert.Equal(TimeSpan.FromDays(30), BackfillKeys.HoldFor(new Policy(IdempotencyWindowSec: 60)));
        Assert.Equal(TimeSpan.FromDays(30), BackfillKeys.HoldFor(new Policy(IdempotencyWindowSec: 30 * 86_400)));
    }

    [Theory]
    [InlineData(TriggerKind.EXTERNAL, "has no schedule to backfill")]
    [InlineData(TriggerKind.CONDITION, "has no schedule to backfill")]
    public void Triggers_without_a_schedule_are_refused(TriggerKind kind, string message)
    {
        var trigger = new Trigger(new TriggerId("tr-x"), kind, Condition: kind == TriggerKind.CONDITION ? "c" : null);
        var check = BackfillSchedule.Validate(trigger, Utc(2026, 1, 1), Utc(2026, 1, 2), Utc(2026, 6, 1), MaxRange);
        Assert.Equal(ErrorKind.VALIDATION, check.UnwrapErr().Kind);
        Assert.Contains(message, check.UnwrapErr().Message);
    }

    [Fact]
    public void Ranges_that_are_empty_reversed_in_the_future_or_too_long_are_refused()
    {
        var trigger = Every(TimeSpan.FromMinutes(1), Utc(2026, 1, 1));
        var now = Utc(2026, 6, 1);

        Assert.True(BackfillSchedule.Validate(trigger, now.AddDays(-366), now, now, MaxRange).IsOk); // the whole bound, up to now
        Assert.Contains("must be before", Refused(now.AddHours(-1), now.AddHours(-1)));
        Assert.Contains("must be before", Refused(now.AddHours(-1), now.AddHours(-2)));
        Assert.Contains("in the future", Refused(now.AddHours(-1), now.AddTicks(1)));
        Assert.Contains("at most 366.00:00:00 (BackfillMaxRange)", Refused(now.AddDays(-366).AddTicks(-1), now));

        string Refused(DateTimeOffset from, DateTimeOffset to)
        {
            var check = BackfillSchedule.Validate(trigger, from, to, now, MaxRange);
            Assert.Equal(ErrorKind.VALIDATION, check.UnwrapErr().Kind);
            return check.UnwrapErr().Message;
        }
    }
}
