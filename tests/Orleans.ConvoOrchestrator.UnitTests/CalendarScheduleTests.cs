using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Orleans.ConvoOrchestrator.Runtime.Grains;
using Orleans.ConvoOrchestrator.Runtime.Triggers;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>Exclusion calendars applied to schedules, as plain functions: DST changes, skipped spans, bounded searches.</summary>
public sealed class CalendarScheduleTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi = 0) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    private static ExclusionCalendars Of(params Calendar[] calendars) => ExclusionCalendars.From(calendars).Unwrap();

    private static Trigger Every(TimeSpan interval, DateTimeOffset anchor, params string[] calendars) =>
        new(new TriggerId("tr"), TriggerKind.INTERVAL, Interval: interval, Anchor: anchor, Calendars: calendars);

    private static List<DateTimeOffset> NextFires(Trigger trigger, DateTimeOffset from, int count, ExclusionCalendars calendars)
    {
        var state = new TriggerState();
        state.Begin(trigger, from);
        return state.NextFires(trigger, from, count, calendars);
    }

    // Business hours in Berlin, weekends and one holiday (Monday 26 October 2026) off; Berlin falls back from
    // CEST (UTC+2) to CET (UTC+1) on Sunday 25 October 2026.
    private static readonly Calendar BerlinOffice = new("berlin-office",
    [
        new CalendarRule(CalendarRuleKind.OutsideDailyWindow, Start: new TimeOnly(9, 0), End: new TimeOnly(17, 0)),
        new CalendarRule(CalendarRuleKind.Cron, Cron: "* * * * 0,6"),
        new CalendarRule(CalendarRuleKind.Date, Date: new DateOnly(2026, 10, 26)),
    ], TimeZone: "Europe/Berlin");

    [Fact]
    public void Business_hours_and_a_holiday_hold_in_local_time_across_the_fall_back()
    {
        var hourly = Every(TimeSpan.FromHours(1), Utc(2026, 10, 1, 0), "berlin-office");
        var calendars = Of(BerlinOffice);

        // Friday, summer time: 09:00-17:00 local is 07:00-15:00 UTC, so 07:00 to 14:00 UTC fire.
        var friday = NextFires(hourly, Utc(2026, 10, 23, 0), 8, calendars);
        Assert.Equal(Enumerable.Range(7, 8).Select(h => Utc(2026, 10, 23, h)), friday);

        // After Friday's last: the weekend and the holiday are skipped; Tuesday, winter time: 08:00 to 15:00 UTC.
        var next = NextFires(hourly, Utc(2026, 10, 23, 14, 30), 9, calendars);
        Assert.Equal(Enumerable.Range(8, 8).Select(h => Utc(2026, 10, 27, h)).Append(Utc(2026, 10, 28, 8)), next);
    }

    [Fact]
    public void A_night_window_moves_in_UTC_across_the_spring_forward()
    {
        // No fires 22:00-06:00 in New York, which springs forward from EST (UTC-5) to EDT (UTC-4) on 14 March 2027.
        var nights = new Calendar("ny-nights", [new CalendarRule(CalendarRuleKind.DailyWindow, Start: new TimeOnly(22, 0), End: new TimeOnly(6, 0))],
            TimeZone: "America/New_York");
        var halfHourly = Every(TimeSpan.FromMinutes(30), Utc(2027, 3, 1, 0), "ny-nights");
        var calendars = Of(nights);

        Assert.Equal(Utc(2027, 3, 13, 11), NextFires(halfHourly, Utc(2027, 3, 13, 2, 45), 1, calendars)[0]); // 06:00 EST
        Assert.Equal(Utc(2027, 3, 14, 10), NextFires(halfHourly, Utc(2027, 3, 14, 2, 45), 1, calendars)[0]); // 06:00 EDT
        // The evening's last fire, 21:30 local, on either side of the change, then the next morning's first.
        Assert.Equal([Utc(2027, 3, 13, 2, 30), Utc(2027, 3, 13, 11)], NextFires(halfHourly, Utc(2027, 3, 13, 2, 15), 2, calendars));
        Assert.Equal([Utc(2027, 3, 15, 1, 30), Utc(2027, 3, 15, 10)], NextFires(halfHourly, Utc(2027, 3, 15, 1, 15), 2, calendars));
    }

    [Fact]
    public void A_window_ending_in_the_skipped_hour_ends_when_the_clocks_jump()
    {
        // 01:00-02:30 excluded; on 14 March 2027 New York has no 02:30: the window ends at 03:00 EDT (07:00 UTC).
        var early = new Calendar("ny-early", [new CalendarRule(CalendarRuleKind.DailyWindow, Start: new TimeOnly(1, 0), End: new TimeOnly(2, 30))],
            TimeZone: "America/New_York");
        var quarterly = Every(TimeSpan.FromMinutes(15), Utc(2027, 3, 1, 0), "ny-early");
        var fires = NextFires(quarterly, Utc(2027, 3, 14, 5, 30), 3, Of(early));
        Assert.Equal([Utc(2027, 3, 14, 5, 45), Utc(2027, 3, 14, 7, 0), Utc(2027, 3, 14, 7, 15)], fires);
    }

    [Fact]
    public void A_window_in_the_repeated_hour_excludes_both_passes()
    {
        // Berlin shows 02:00-03:00 twice on 25 October 2026: 00:00-01:00 UTC (CEST) and 01:00-02:00 UTC (CET).
        var window = new Calendar("berlin-2am", [new CalendarRule(CalendarRuleKind.DailyWindow, Start: new TimeOnly(2, 0), End: new TimeOnly(2, 30))],
            TimeZone: "Europe/Berlin");
        var quarterly = Every(TimeSpan.FromMinutes(15), Utc(2026, 10, 1, 0), "berlin-2am");
        var fires = NextFires(quarterly, Utc(2026, 10, 24, 23, 50), 4, Of(window));
        Assert.Equal([Utc(2026, 10, 25, 0, 30), Utc(2026, 10, 25, 0, 45), Utc(2026, 10, 25, 1, 30), Utc(2026, 10, 25, 1, 45)], fires);
    }

    [Fact]
    public void A_cron_trigger_skips_annual_holidays_in_its_calendar()
    {
        var christmas = new Calendar("christmas",
        [
            new CalendarRule(CalendarRuleKind.Annual, Month: 12, Day: 25),
            new CalendarRule(CalendarRuleKind.Annual, Month: 12, Day: 26),
        ], TimeZone: "Europe/Berlin");
        var nineLocal = new Trigger(new TriggerId("daily"), TriggerKind.Cron, Cron: "0 0 9 * * *", TimeZone: "Europe/Berlin",
            Anchor: Utc(2026, 1, 1, 0), Calendars: ["christmas"]);
        var calendars = Of(christmas);
        Assert.Equal([Utc(2026, 12, 24, 8), Utc(2026, 12, 27, 8), Utc(2026, 12, 28, 8)], NextFires(nineLocal, Utc(2026, 12, 24, 0), 3, calendars));
        Assert.Equal(Utc(2027, 12, 27, 8), NextFires(nineLocal, Utc(2027, 12, 24, 9), 1, calendars)[0]); // every year
    }

    [Fact]
    public void Date_ranges_exclude_whole_local_days_up_to_and_including_the_last()
    {
        var freeze = new Calendar("freeze", [new CalendarRule(CalendarRuleKind.DateRange, From: new DateOnly(2026, 12, 20), To: new DateOnly(2027, 1, 3))],
            TimeZone: "America/New_York");
        var hourly = Every(TimeSpan.FromHours(1), Utc(2026, 1, 1, 0), "freeze");
        // The freeze starts at midnight New York time (05:00 UTC) and ends at the start of 4 January there.
        Assert.Equal([Utc(2026, 12, 20, 4), Utc(2027, 1, 4, 5)], NextFires(hourly, Utc(2026, 12, 20, 3, 30), 2, Of(freeze)));
    }

    [Fact]
    public void Excluded_instants_are_not_misfires_and_are_never_caught_up()
    {
        // Every 10 minutes, none from 10:00 to 11:00 UTC; the trigger was last handled at 09:50 and wakes at 11:00.
        var maintenance = new Calendar("maintenance", [new CalendarRule(CalendarRuleKind.DailyWindow, Start: new TimeOnly(10, 0), End: new TimeOnly(11, 0))]);
        var trigger = Every(TimeSpan.FromMinutes(10), Utc(2026, 12, 2, 0), "maintenance") with { Misfire = MisfirePolicy.RunAll, CatchUpWindow = TimeSpan.FromHours(2) };
        var calendars = Of(maintenance);
        var state = new TriggerState();
        state.Begin(trigger, Utc(2026, 12, 2, 9, 50));

        var plan = state.TakeDue(trigger, Utc(2026, 12, 2, 11, 0).AddMilliseconds(500), Threshold, calendars);
        Assert.Equal(Utc(2026, 12, 2, 11), plan?.FireFor);
        Assert.Empty(plan?.CatchUp ?? []);
        Assert.Equal((1L, 0L), (state.FireCount, state.MissCount));

        // A real outage over the window counts only the fires it allowed: 11:10 and 11:20 missed, 11:30 on time.
        var late = state.TakeDue(trigger, Utc(2026, 12, 2, 11, 30), Threshold, calendars);
        Assert.Equal([Utc(2026, 12, 2, 11, 10), Utc(2026, 12, 2, 11, 20)], late?.CatchUp);
        Assert.Equal((4L, 0L), (state.FireCount, state.MissCount));
    }

    [Fact]
    public void A_lifted_exclusion_applies_from_the_next_fire_and_makes_no_misfires_of_the_past()
    {
        var maintenance = Of(new Calendar("maintenance", [new CalendarRule(CalendarRuleKind.DailyWindow, Start: new TimeOnly(10, 0), End: new TimeOnly(11, 0))]));
        var trigger = Every(TimeSpan.FromMinutes(10), Utc(2026, 12, 2, 0), "maintenance");
        var state = new TriggerState();
        state.Begin(trigger, Utc(2026, 12, 2, 9, 50));
        var changedAt = Utc(2026, 12, 2, 10, 30);
        Assert.Equal(Utc(2026, 12, 2, 11), state.NextFire(trigger, changedAt, maintenance));

        // At 10:30 the window is lifted: what fell due so far is settled under the old calendar (nothing: all
        // excluded), then the new one (none) plans from now on.
        Assert.Null(state.TakeDue(trigger, changedAt, Threshold, maintenance)?.FireFor);
        state.CalendarsChanged(trigger, changedAt);
        Assert.Null(state.TakeDue(trigger, changedAt, Threshold, ExclusionCalendars.None)?.FireFor);
        Assert.Equal(Utc(2026, 12, 2, 10, 40), state.NextFire(trigger, changedAt, ExclusionCalendars.None));
        Assert.Equal((0L, 0L), (state.FireCount, state.MissCount));

        // Without the settling step, the lifted instants would all be due at once: 10:30 fired, three missed.
        var unsettled = new TriggerState();
        unsettled.Begin(trigger, Utc(2026, 12, 2, 9, 50));
        unsettled.TakeDue(trigger, changedAt, Threshold, ExclusionCalendars.None);
        Assert.Equal((1L, 3L), (unsettled.FireCount, unsettled.MissCount));
    }

    [Fact]
    public void An_interval_trigger_on_a_fake_clock_fires_only_outside_its_calendar()
    {
        // The trigger grain's loop without the grain: sleep to the next fire, take what is due, repeat.
        var clock = new FakeTimeProvider(Utc(2026, 10, 23, 0));
        var trigger = Every(TimeSpan.FromHours(1), Utc(2026, 10, 1, 0), "berlin-office");
        var calendars = Of(BerlinOffice);
        var state = new TriggerState();
        state.Begin(trigger, clock.GetUtcNow());
        var fired = new List<DateTimeOffset>();
        while (clock.GetUtcNow() < Utc(2026, 10, 28, 0))
        {
            var next = state.NextFire(trigger, clock.GetUtcNow(), calendars)!.Value;
            clock.Advance(next - clock.GetUtcNow());
            if (state.TakeDue(trigger, clock.GetUtcNow(), Threshold, calendars)?.FireFor is { } fire) fired.Add(fire);
        }
        // Friday 07-14 UTC (summer time), nothing on the weekend or the holiday, Tuesday 08-15 UTC (winter time).
        var expected = Enumerable.Range(7, 8).Select(h => Utc(2026, 10, 23, h)).Concat(Enumerable.Range(8, 8).Select(h => Utc(2026, 10, 27, h)));
        Assert.Equal(expected, fired.Where(f => f < Utc(2026, 10, 28, 0)));
        Assert.Equal(0, state.MissCount);
    }

    [Fact]
    public void A_calendar_that_excludes_everything_gives_no_next_fire_without_an_endless_search()
    {
        var always = new Calendar("always", [new CalendarRule(CalendarRuleKind.DateRange, From: DateOnly.MinValue, To: DateOnly.MaxValue)]);
        var alwaysByWindows = new Calendar("windows",
        [
            new CalendarRule(CalendarRuleKind.OutsideDailyWindow, Start: new TimeOnly(9, 0), End: new TimeOnly(17, 0)),
            new CalendarRule(CalendarRuleKind.DailyWindow, Start: new TimeOnly(8, 0), End: new TimeOnly(18, 0)),
        ], TimeZone: "Europe/Berlin");
        var everySecond = new Calendar("seconds", [new CalendarRule(CalendarRuleKind.Cron, Cron: "* * * * * *")]);
        var fast = Every(TimeSpan.FromMilliseconds(10), Utc(2026, 1, 1, 0), "x");
        var now = Utc(2026, 12, 2, 12);
        var everyWeekendSecond = new Calendar("weekends", [new CalendarRule(CalendarRuleKind.Cron, Cron: "* * * * * 0,6")]);
        Assert.Equal(Utc(2026, 12, 7, 0), TriggerSchedule.NextFire(Every(TimeSpan.FromSeconds(1), Utc(2026, 1, 1, 0)), Utc(2026, 12, 5, 0), Of(everyWeekendSecond)));
        foreach (var calendar in new[] { always, alwaysByWindows, everySecond })
        {
            Assert.Null(TriggerSchedule.NextFire(fast, now, Of(calendar)));
            var state = new TriggerState();
            state.Begin(fast, now);
            Assert.Empty(state.NextFires(fast, now, 10, Of(calendar)));
            var plan = state.TakeDue(fast, now.AddHours(1), Threshold, Of(calendar));
            Assert.Null(plan?.FireFor); // nothing due, nothing missed: the excluded hour is dealt with all the same
            Assert.Equal((0L, 0L, now.AddHours(1)), (state.FireCount, state.MissCount, state.HandledUpTo));
            Assert.Null(state.NextWake(fast, now.AddHours(1), Of(calendar)));
        }
    }

    [Fact]
    public void A_search_cut_short_by_many_small_spans_goes_on_from_where_it_stopped()
    {
        // Every second of 1-8 December excluded, spelt "*/1" so that it is walked second by second, a minute per span:
        // more spans than one search jumps over.
        var december = Of(new Calendar("dec", [new CalendarRule(CalendarRuleKind.Cron, Cron: "*/1 * * 1-8 12 *")]));
        var trigger = Every(TimeSpan.FromSeconds(1), Utc(2026, 1, 1, 0), "dec");
        var clock = new FakeTimeProvider(Utc(2026, 11, 30, 23, 59).AddSeconds(59.5));
        var state = new TriggerState();
        state.Begin(trigger, clock.GetUtcNow());
        var (fire, resumeAt) = TriggerSchedule.Search(trigger, clock.GetUtcNow(), december);
        Assert.Null(fire);
        Assert.NotNull(resumeAt);
        // Status and previews search on a few rounds, so they still name the fire.
        Assert.Equal(Utc(2026, 12, 9, 0), state.NextFire(trigger, clock.GetUtcNow(), december));

        // The trigger's loop wakes where the search stopped, fires nothing, and finds 9 December in the end.
        var wakes = 0;
        DateTimeOffset? fired = null;
        state.TakeDue(trigger, clock.GetUtcNow(), Threshold, december);
        while (fired is null && wakes < 10)
        {
            var wake = state.NextWake(trigger, clock.GetUtcNow(), december)!.Value;
            clock.Advance(wake - clock.GetUtcNow());
            wakes++;
            fired = state.TakeDue(trigger, clock.GetUtcNow(), Threshold, december)?.FireFor;
        }
        Assert.Equal(Utc(2026, 12, 9, 0), fired);
        Assert.InRange(wakes, 2, 5);
        Assert.Equal(0L, state.MissCount);
    }

    [Fact]
    public void Calendars_are_validated_rule_by_rule()
    {
        Assert.True(DefinitionValidator.Validate(BerlinOffice).IsOk);
        var bad = new Calendar("bad",
        [
            new CalendarRule(CalendarRuleKind.Date),
            new CalendarRule(CalendarRuleKind.DateRange, From: new DateOnly(2027, 1, 2), To: new DateOnly(2027, 1, 1)),
            new CalendarRule(CalendarRuleKind.Annual, Month: 2, Day: 30),
            new CalendarRule(CalendarRuleKind.DailyWindow, Start: new TimeOnly(9, 0), End: new TimeOnly(9, 0)),
            new CalendarRule(CalendarRuleKind.Cron, Cron: "not cron"),
            new CalendarRule(CalendarRuleKind.Date, Date: new DateOnly(2027, 1, 1), Month: 1),
        ], TimeZone: "Mars/Olympus");
        var message = DefinitionValidator.Validate(bad).UnwrapErr().Message;
        foreach (var part in new[] { "time zone 'Mars/Olympus'", "rule 1: a Date rule needs 'date'", "rule 2: 'from'", "rule 3: day must be between 1 and 29",
                     "rule 4: 'start' and 'end' are the same", "rule 5: cron 'not cron'", "rule 6: 'month' is not for a Date rule" })
            Assert.Contains(part, message);
        Assert.Contains("at least one rule", DefinitionValidator.Validate(new Calendar("empty", [])).UnwrapErr().Message);
        Assert.Contains("calendar name", DefinitionValidator.Validate(new Calendar("a/b", BerlinOffice.Rules)).UnwrapErr().Message);
    }

    [Fact]
    public void Only_interval_and_cron_triggers_take_calendars()
    {
        var at = new Trigger(new TriggerId("at"), TriggerKind.AT, At: Utc(2027, 1, 1, 0), Calendars: ["holidays"]);
        Assert.Contains("'calendars' are only for INTERVAL and Cron triggers, not AT", DefinitionValidator.Validate(at).UnwrapErr().Message);
        var external = new Trigger(new TriggerId("ext"), TriggerKind.EXTERNAL, Calendars: ["holidays"]);
        Assert.True(DefinitionValidator.Validate(external).IsErr);
        var twice = Every(TimeSpan.FromHours(1), Utc(2027, 1, 1, 0), "holidays", "holidays");
        Assert.Contains("twice", DefinitionValidator.Validate(twice).UnwrapErr().Message);
        Assert.True(DefinitionValidator.Validate(Every(TimeSpan.FromHours(1), Utc(2027, 1, 1, 0), "holidays")).IsOk);
        // The same calendars in a new list are the same definition (attaching again is no conflict).
        Assert.Equal(Every(TimeSpan.FromHours(1), Utc(2027, 1, 1, 0), "a", "b"), Every(TimeSpan.FromHours(1), Utc(2027, 1, 1, 0), "a", "b"));
        Assert.NotEqual(Every(TimeSpan.FromHours(1), Utc(2027, 1, 1, 0), "a"), Every(TimeSpan.FromHours(1), Utc(2027, 1, 1, 0), "b"));
    }

    [Fact]
    public void A_calendar_reads_and_writes_as_plain_JSON()
    {
        const string json = """
            {"name":"office","timeZone":"Europe/Berlin","rules":[
              {"kind":"Annual","month":12,"day":25},{"kind":"Date","date":"2026-12-31"},
              {"kind":"OutsideDailyWindow","start":"09:00","end":"17:00"},{"kind":"Cron","cron":"* * * * 0,6"}]}
            """;
        var calendar = JsonSerializer.Deserialize<Calendar>(json, ConvoJson.Options)!;
        Assert.Equal(new TimeOnly(9, 0), calendar.Rules[2].Start);
        Assert.Equal(new DateOnly(2026, 12, 31), calendar.Rules[1].Date);
        Assert.Equal(calendar, JsonSerializer.Deserialize<Calendar>(JsonSerializer.Serialize(calendar, ConvoJson.Options), ConvoJson.Options));
    }
}
