using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>Calendars on the Redis store: definitions, listings and the triggers that name them survive a killed silo.</summary>
[Trait(Lane.Name, Lane.System)]
public sealed class CalendarRedisTests
{
    [Fact]
    public async Task Calendars_and_the_triggers_that_name_them_survive_a_restart()
    {
        await using var redis = await RedisServer.StartAsync();
        var cluster = "calendars-" + Guid.NewGuid().ToString("N")[..8];
        // Weekends and Christmas off, business hours only, in Berlin: rules of every kind, dates and times included.
        var office = new Calendar("office",
        [
            new CalendarRule(CalendarRuleKind.Cron, Cron: "* * * * 0,6"),
            new CalendarRule(CalendarRuleKind.Annual, Month: 12, Day: 25),
            new CalendarRule(CalendarRuleKind.Date, Date: new DateOnly(2030, 1, 2)),
            new CalendarRule(CalendarRuleKind.DateRange, From: new DateOnly(2030, 8, 1), To: new DateOnly(2030, 8, 15)),
            new CalendarRule(CalendarRuleKind.OutsideDailyWindow, Start: new TimeOnly(9, 0), End: new TimeOnly(17, 0)),
            new CalendarRule(CalendarRuleKind.DailyWindow, Start: new TimeOnly(12, 0), End: new TimeOnly(13, 0)),
        ], TimeZone: "Europe/Berlin", Description: "office hours");
        var hourly = new Trigger(new TriggerId("tr-office"), TriggerKind.INTERVAL, Interval: TimeSpan.FromHours(1), Calendars: ["office"]);
        IReadOnlyList<DateTimeOffset> preview;

        var first = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster);
        await using (first)
        {
            await using var client = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
            var api = client.Api;
            (await api.SaveCalendarAsync(office)).Unwrap();
            (await api.SaveEventAsync(new Event(new EventId("office-job"), "office job", "log"))).Unwrap();
            (await api.AttachTriggerAsync(new EventId("office-job"), hourly)).Unwrap();
            preview = (await api.NextFiresAsync(hourly.Id, 20)).Unwrap();
            Assert.Equal(20, preview.Count);
            var calendars = ExclusionCalendars.From([office]).Unwrap();
            Assert.All(preview, f => Assert.False(calendars.Excludes(f), $"{f} is excluded"));
            await first.KillAsync();
        }

        await using var second = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster, restartOf: first);
        await using var again = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
        var api2 = again.Api;
        Assert.Equal(office, (await api2.GetCalendarAsync("office")).Unwrap());
        Assert.Equal([office], (await api2.ListCalendarsAsync()).Unwrap());
        Assert.Equal(["office"], (await api2.ListTriggersAsync()).Unwrap().Single().Calendars!);
        Assert.Equal(preview, (await api2.NextFiresAsync(hourly.Id, 20)).Unwrap());
        // The calendar still knows the trigger that names it.
        Assert.Equal(ErrorKind.CONFLICT, (await api2.RemoveCalendarAsync("office")).Error?.Kind);
    }
}
