using Cronos;

namespace Orleans.ConvoOrchestrator;

/// <summary>
/// The calendars a trigger names, ready to judge instants: an instant is excluded when any rule of any calendar
/// covers it. Immutable; built once per calendar change.
/// </summary>
public sealed class ExclusionCalendars
{
    private readonly (CalendarRule Rule, TimeZoneInfo Zone, CronExpression? Cron)[] _rules;

    private ExclusionCalendars((CalendarRule, TimeZoneInfo, CronExpression?)[] rules, IReadOnlyList<Calendar> calendars)
    {
        _rules = rules;
        Calendars = calendars;
    }

    /// <summary>No calendars: nothing is excluded.</summary>
    public static ExclusionCalendars None { get; } = new([], []);

    /// <summary>The calendars it was built from.</summary>
    public IReadOnlyList<Calendar> Calendars { get; }

    /// <summary>True when nothing is excluded.</summary>
    public bool IsEmpty => _rules.Length == 0;

    /// <summary>Builds from calendar definitions; VALIDATION when one is not valid (checked with <see cref="DefinitionValidator"/>).</summary>
    public static Result<ExclusionCalendars> From(IEnumerable<Calendar> calendars)
    {
        var list = calendars.ToList();
        var rules = new List<(CalendarRule, TimeZoneInfo, CronExpression?)>();
        foreach (var calendar in list)
        {
            var check = DefinitionValidator.Validate(calendar);
            if (check.IsErr) return Result<ExclusionCalendars>.Err(check.Error);
            var zone = CronParser.Zone(calendar.TimeZone).Unwrap();
            foreach (var rule in calendar.Rules)
                rules.Add((rule, zone, rule.Kind == CalendarRuleKind.Cron ? CronParser.Parse(rule.Cron).Unwrap() : null));
        }
        return rules.Count == 0 ? None : new ExclusionCalendars(rules.ToArray(), list);
    }

    /// <summary>True when <paramref name="instant"/> is excluded.</summary>
    public bool Excludes(DateTimeOffset instant) => Excludes(instant, out _);

    /// <summary>
    /// True when <paramref name="instant"/> is excluded; <paramref name="until"/> is then the end of the excluded span
    /// holding it (later than it; what lies at or after it may be excluded by another span).
    /// </summary>
    public bool Excludes(DateTimeOffset instant, out DateTimeOffset until)
    {
        until = instant;
        var excluded = false;
        foreach (var (rule, zone, cron) in _rules)
        {
            // Rules overlapping the instant each exclude up to their own end; the union reaches the latest.
            if (CalendarRuleSpans.ExcludedUntil(rule, instant, zone, cron) is not { } end) continue;
            excluded = true;
            if (end > until) until = end;
        }
        return excluded;
    }
}
