namespace Orleans.ConvoOrchestrator;

/// <summary>
/// One exclusion of a <see cref="Calendar"/>. Each kind uses its own fields and no others (see
/// <see cref="CalendarRuleKind"/>); <see cref="DefinitionValidator.Validate(Calendar)"/> says which are missing or extra.
/// </summary>
/// <param name="Kind">What it excludes.</param>
/// <param name="Date">For <see cref="CalendarRuleKind.Date"/>: the day.</param>
/// <param name="From">For <see cref="CalendarRuleKind.DateRange"/>: the first day.</param>
/// <param name="To">For <see cref="CalendarRuleKind.DateRange"/>: the last day (included).</param>
/// <param name="Month">For <see cref="CalendarRuleKind.Annual"/>: the month, 1 to 12.</param>
/// <param name="Day">For <see cref="CalendarRuleKind.Annual"/>: the day of the month.</param>
/// <param name="Start">For the daily windows: where the window starts (local time of day).</param>
/// <param name="End">For the daily windows: where it ends (excluded); before <paramref name="Start"/> it spans midnight.</param>
/// <param name="Cron">For <see cref="CalendarRuleKind.Cron"/>: the expression, 5 fields or 6 with seconds first.</param>
[GenerateSerializer, Immutable, Alias("convo.CalendarRule")]
public sealed record CalendarRule(
    CalendarRuleKind Kind,
    DateOnly? Date = null,
    DateOnly? From = null,
    DateOnly? To = null,
    int? Month = null,
    int? Day = null,
    TimeOnly? Start = null,
    TimeOnly? End = null,
    string? Cron = null);
