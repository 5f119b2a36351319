namespace Orleans.ConvoOrchestrator;

/// <summary>What a <see cref="CalendarRule"/> excludes; dates and times are read in the calendar's time zone.</summary>
[GenerateSerializer, Alias("convo.CalendarRuleKind")]
public enum CalendarRuleKind
{
    /// <summary>One whole day, <see cref="CalendarRule.Date"/>.</summary>
    Date = 0,
    /// <summary>Whole days from <see cref="CalendarRule.From"/> to <see cref="CalendarRule.To"/>, both included.</summary>
    DateRange = 1,
    /// <summary>The same day every year: <see cref="CalendarRule.Month"/> and <see cref="CalendarRule.Day"/> (Feb 29 only in leap years).</summary>
    Annual = 2,
    /// <summary>Every day from <see cref="CalendarRule.Start"/> to <see cref="CalendarRule.End"/> (end excluded; a start after the end spans midnight).</summary>
    DailyWindow = 3,
    /// <summary>Every day outside <see cref="CalendarRule.Start"/> to <see cref="CalendarRule.End"/>: fires only within the window (business hours).</summary>
    OutsideDailyWindow = 4,
    /// <summary>
    /// The times a cron expression (<see cref="CalendarRule.Cron"/>) describes: with 5 fields each matching minute, with 6
    /// (seconds first) each matching second. <c>* * * * 0,6</c> excludes weekends.
    /// </summary>
    Cron = 5,
}
