using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Exclusion calendars on a real cluster with a fake clock. The calendar excludes seconds of every minute (a cron
/// with seconds), so the tests hold whatever instant the shared clock has reached: a 10 s interval anchored on a
/// minute fires at :00, :10, :40 and :50 when seconds 20-39 are excluded.
/// </summary>
[Collection(FakeClockClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class CalendarTests(FakeClockClusterFixture fx)
{
    private static Calendar Seconds(string name, string cron) => new(name, [new CalendarRule(CalendarRuleKind.Cron, Cron: cron)]);

    // Moves the clock to the next whole minute and returns it. Time then moves in steps that land on the fires, so
    // every fire is on time (a late one would count as a misfire).
    private DateTimeOffset ToNextMinute()
    {
        var now = fx.Clock.GetUtcNow();
        var minute = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
        fx.Advance(minute - now);
        return minute;
    }

    [Fact]
    public async Task An_excluded_fire_does_not_run_and_a_calendar_change_applies_from_the_next_fire()
    {
        var calendar = ClusterFixture.Unique("cal");
        (await fx.Api.SaveCalendarAsync(Seconds(calendar, "20-39 * * * * *"))).Unwrap();
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var minute = ToNextMinute();
        var trigger = new Trigger(new TriggerId(ClusterFixture.Unique("tr")), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(10),
            Anchor: minute, Calendars: [calendar]);
        (await fx.Api.AttachTriggerAsync(ev, trigger)).Unwrap();

        // The preview, the trigger's status and the event's next run all skip the excluded seconds.
        Assert.Equal([minute.AddSeconds(10), minute.AddSeconds(40), minute.AddSeconds(50), minute.AddSeconds(60)],
            (await fx.Api.NextFiresAsync(trigger.Id, 4)).Unwrap());
        Assert.Equal(minute.AddSeconds(10), (await fx.Api.StatusAsync(ev)).Unwrap().NextRun);

        for (var step = 1; step <= 6; step++)
        {
            fx.Advance(TimeSpan.FromSeconds(10)); // :10, :20, ... :00 of the next minute
            var fires = step switch { 1 => 1, 2 or 3 => 1, 4 => 2, 5 => 3, _ => 4 };
            await fx.WaitForTriggerAsync(trigger.Id, s => s.FireCount == fires);
        }
        await fx.WaitForHistoryAsync(ev, 4);
        lock (seen) Assert.Equal([minute.AddSeconds(10), minute.AddSeconds(40), minute.AddSeconds(50), minute.AddSeconds(60)], seen.Select(c => c.ScheduledAt).Order());
        var status = (await fx.Api.TriggerStatusAsync(trigger.Id)).Unwrap();
        Assert.Equal((4L, 0L), (status.FireCount, status.MissCount)); // excluded instants are not misfires

        // Now :00-:19 are excluded instead: the armed fire at :10 is dropped and :20 is next.
        (await fx.Api.SaveCalendarAsync(Seconds(calendar, "0-19 * * * * *"))).Unwrap();
        var next = minute.AddSeconds(60);
        await Eventually.MatchAsync(async () => (await fx.Api.NextFiresAsync(trigger.Id, 3)).Unwrap(),
            f => f.SequenceEqual([next.AddSeconds(20), next.AddSeconds(30), next.AddSeconds(40)]), TimeSpan.FromSeconds(20), "the change to be seen");
        fx.Advance(TimeSpan.FromSeconds(10)); // :10, now excluded
        await Task.Delay(200); // a fire at :10 would be under way by now
        Assert.Equal(4L, (await fx.Api.TriggerStatusAsync(trigger.Id)).Unwrap().FireCount);
        fx.Advance(TimeSpan.FromSeconds(10)); // :20
        await fx.WaitForTriggerAsync(trigger.Id, s => s.FireCount == 5);
        await fx.WaitForHistoryAsync(ev, 5);
        lock (seen) Assert.Equal(next.AddSeconds(20), seen.Select(c => c.ScheduledAt).Max());
        Assert.Equal(0L, (await fx.Api.TriggerStatusAsync(trigger.Id)).Unwrap().MissCount);

        // In use: removal is refused and names the trigger; once the trigger is gone, it goes.
        var refused = await fx.Api.RemoveCalendarAsync(calendar);
        Assert.Equal(ErrorKind.CONFLICT, refused.Error?.Kind);
        Assert.Contains(trigger.Id.Value, refused.Error!.Message);
        Assert.True((await fx.Api.GetCalendarAsync(calendar)).IsOk);
        (await fx.Api.RemoveEventAsync(ev)).Unwrap();
        (await fx.Api.RemoveCalendarAsync(calendar)).Unwrap();
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.GetCalendarAsync(calendar)).Error?.Kind);
        Assert.DoesNotContain((await fx.Api.ListCalendarsAsync()).Unwrap(), c => c.Name == calendar);
    }

    [Fact]
    public async Task Lifting_an_exclusion_makes_no_misfires_of_the_instants_it_excluded()
    {
        var calendar = ClusterFixture.Unique("cal");
        (await fx.Api.SaveCalendarAsync(Seconds(calendar, "20-39 * * * * *"))).Unwrap();
        var seen = new List<EventContext>();
        var ev = await fx.RecordingEventAsync(seen);
        var minute = ToNextMinute();
        var trigger = new Trigger(new TriggerId(ClusterFixture.Unique("tr")), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(10),
            Anchor: minute, Calendars: [calendar]);
        (await fx.Api.AttachTriggerAsync(ev, trigger)).Unwrap();
        fx.Advance(TimeSpan.FromSeconds(10)); // :10 fires
        await fx.WaitForTriggerAsync(trigger.Id, s => s.FireCount == 1);
        fx.Advance(TimeSpan.FromSeconds(25)); // :35: :20 and :30 were excluded

        // Lifted at :35: :20 and :30 stay excluded (they were, when they fell due); :40 is next, nothing is missed.
        (await fx.Api.SaveCalendarAsync(new Calendar(calendar, [new CalendarRule(CalendarRuleKind.Date, Date: new DateOnly(2000, 1, 1))]))).Unwrap();
        await Eventually.MatchAsync(async () => (await fx.Api.NextFiresAsync(trigger.Id, 2)).Unwrap(),
            f => f.SequenceEqual([minute.AddSeconds(40), minute.AddSeconds(50)]), TimeSpan.FromSeconds(20), "the change to be seen");
        fx.Advance(TimeSpan.FromSeconds(5)); // :40
        await fx.WaitForTriggerAsync(trigger.Id, s => s.FireCount == 2);
        await fx.WaitForHistoryAsync(ev, 2);
        var status = (await fx.Api.TriggerStatusAsync(trigger.Id)).Unwrap();
        Assert.Equal((2L, 0L), (status.FireCount, status.MissCount));
        lock (seen) Assert.Equal([minute.AddSeconds(10), minute.AddSeconds(40)], seen.Select(c => c.ScheduledAt).Order());
        (await fx.Api.RemoveEventAsync(ev)).Unwrap();
        (await fx.Api.RemoveCalendarAsync(calendar)).Unwrap();
    }

    [Fact]
    public async Task Calendars_are_listed_and_bad_ones_change_nothing()
    {
        var name = ClusterFixture.Unique("cal");
        (await fx.Api.SaveCalendarAsync(Seconds(name, "0 * * * * *"))).Unwrap();
        Assert.Contains((await fx.Api.ListCalendarsAsync()).Unwrap(), c => c.Name == name);
        Assert.Equal(Seconds(name, "0 * * * * *"), (await fx.Api.GetCalendarAsync(name)).Unwrap());

        var bad = await fx.Api.SaveCalendarAsync(new Calendar(name, [new CalendarRule(CalendarRuleKind.Annual, Month: 13, Day: 1)]));
        Assert.Equal(ErrorKind.VALIDATION, bad.Error?.Kind);
        Assert.Equal(Seconds(name, "0 * * * * *"), (await fx.Api.GetCalendarAsync(name)).Unwrap());
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.RemoveCalendarAsync(ClusterFixture.Unique("none"))).Error?.Kind);
        Assert.Equal(ErrorKind.VALIDATION, (await fx.Api.GetCalendarAsync("a/b")).Error?.Kind);

        // An unknown calendar: NOT_FOUND naming it, and neither the trigger nor the subscription exists afterwards.
        var ev = await fx.RecordingEventAsync([]);
        var missing = ClusterFixture.Unique("missing");
        var trigger = new Trigger(new TriggerId(ClusterFixture.Unique("tr")), TriggerKind.INTERVAL, Interval: TimeSpan.FromMinutes(1), Calendars: [name, missing]);
        var attach = await fx.Api.AttachTriggerAsync(ev, trigger);
        Assert.Equal(ErrorKind.NOT_FOUND, attach.Error?.Kind);
        Assert.Contains($"calendar '{missing}' does not exist", attach.Error!.Message);
        Assert.Empty((await fx.Api.ListTriggersAsync(ev)).Unwrap());
        Assert.Equal(ErrorKind.NOT_FOUND, (await fx.Api.TriggerStatusAsync(trigger.Id)).Error?.Kind);
        (await fx.Api.RemoveCalendarAsync(name)).Unwrap(); // the failed attach left no hold on the calendar it found

        // A calendar where it does not apply.
        var at = new Trigger(new TriggerId(ClusterFixture.Unique("tr")), TriggerKind.AT, At: fx.Clock.GetUtcNow().AddHours(1), Calendars: [name]);
        var refused = await fx.Api.AttachTriggerAsync(ev, at);
        Assert.Equal(ErrorKind.VALIDATION, refused.Error?.Kind);
        Assert.Contains("only for INTERVAL and Cron", refused.Error!.Message);
        (await fx.Api.RemoveEventAsync(ev)).Unwrap();
    }
}
