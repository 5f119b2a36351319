using System.CommandLine;
using System.Globalization;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// How <c>calendars save</c> learns the calendar: a JSON file (<c>-f</c>), or one flag per rule, each repeatable
/// (<c>--date</c>, <c>--range</c>, <c>--annual</c>, <c>--exclude-window</c>, <c>--only-window</c>, <c>--cron</c>).
/// Saving replaces the whole calendar. Everything is checked before connecting.
/// </summary>
internal sealed class CalendarDefinitionOptions
{
    public const string Example = """{"name":"holidays","timeZone":"Europe/Berlin","rules":[{"kind":"Annual","month":12,"day":25}]}""";

    private readonly Option<string> _file = new("--file", "-f")
    {
        HelpName = "FILE",
        Description = $"JSON file holding the calendar ('-' reads stdin), e.g. {Example}",
    };
    private readonly Option<string> _timeZone = new("--tz")
    {
        HelpName = "ZONE",
        Description = "The IANA or Windows time zone its dates and times are read in (default UTC), e.g. Europe/Berlin",
    };
    private readonly Option<string> _description = new("--description") { HelpName = "TEXT", Description = "Free text for people" };
    private readonly Option<string[]> _dates = new("--date") { HelpName = "YYYY-MM-DD", Description = "Exclude this whole day (repeatable)" };
    private readonly Option<string[]> _ranges = new("--range")
    {
        HelpName = "FROM..TO",
        Description = "Exclude whole days from FROM to TO, both included, e.g. 2026-12-24..2027-01-01 (repeatable)",
    };
    private readonly Option<string[]> _annual = new("--annual") { HelpName = "MM-DD", Description = "Exclude this day every year, e.g. 12-25 (repeatable)" };
    private readonly Option<string[]> _excludeWindows = new("--exclude-window")
    {
        HelpName = "HH:MM-HH:MM",
        Description = "Exclude this time of every day, e.g. 12:00-13:00; 22:00-06:00 spans midnight (repeatable)",
    };
    private readonly Option<string[]> _onlyWindows = new("--only-window")
    {
        HelpName = "HH:MM-HH:MM",
        Description = "Exclude everything outside this time of day: fire only within it, e.g. 09:00-17:00 (repeatable)",
    };
    private readonly Option<string[]> _crons = new("--cron")
    {
        HelpName = "EXPR",
        Description = "Exclude the minutes (5 fields) or seconds (6) a cron expression matches, e.g. \"* * * * 0,6\" for weekends (repeatable)",
    };

    /// <summary>Every option, to add to the command.</summary>
    public IEnumerable<Option> All => [_file, _timeZone, _description, _dates, _ranges, _annual, _excludeWindows, _onlyWindows, _crons];

    /// <summary>The calendar the user described; throws <see cref="UsageException"/> for anything wrong or missing.</summary>
    public Calendar Read(ParseResult parse, string? name)
    {
        if (parse.GetValue(_file) is { } path)
        {
            var given = All.Where(o => o != _file && parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
            if (given.Count > 0) throw new UsageException($"-f cannot be combined with {string.Join(", ", given)}: the file holds the whole calendar");
            // Checked below, once the name is settled: the file may leave it to the argument.
            var loaded = DefinitionFile.Load<Calendar>(path, "calendar", Example, _ => Result.Ok());
            if (loaded.Name is null) loaded = loaded with { Name = name ?? throw new UsageException("the file names no calendar; give its name as the argument") };
            else if (name is not null && loaded.Name != name) throw new UsageException($"the file's name '{loaded.Name}' differs from the argument '{name}'");
            return Checked(loaded);
        }
        if (name is null) throw new UsageException("give the calendar's name (or -f calendar.json)");
        var rules = new List<CalendarRule>();
        rules.AddRange((parse.GetValue(_dates) ?? []).Select(d => new CalendarRule(CalendarRuleKind.Date, Date: Date(d, "--date"))));
        foreach (var range in parse.GetValue(_ranges) ?? [])
        {
            var parts = range.Split("..");
            if (parts.Length != 2) throw new UsageException($"--range: '{range}' is not FROM..TO, e.g. 2026-12-24..2027-01-01");
            rules.Add(new CalendarRule(CalendarRuleKind.DateRange, From: Date(parts[0], "--range"), To: Date(parts[1], "--range")));
        }
        foreach (var day in parse.GetValue(_annual) ?? [])
        {
            if (!DateOnly.TryParseExact("2000-" + day.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                throw new UsageException($"--annual: '{day}' is not a day of the year as MM-DD, e.g. 12-25");
            rules.Add(new CalendarRule(CalendarRuleKind.Annual, Month: d.Month, Day: d.Day));
        }
        rules.AddRange((parse.GetValue(_excludeWindows) ?? []).Select(w => Window(CalendarRuleKind.DailyWindow, w, "--exclude-window")));
        rules.AddRange((parse.GetValue(_onlyWindows) ?? []).Select(w => Window(CalendarRuleKind.OutsideDailyWindow, w, "--only-window")));
        rules.AddRange((parse.GetValue(_crons) ?? []).Select(c => new CalendarRule(CalendarRuleKind.Cron, Cron: c)));
        if (rules.Count == 0)
            throw new UsageException("say what the calendar excludes: --date, --range, --annual, --exclude-window, --only-window or --cron (or -f calendar.json)");
        return Checked(new Calendar(name, rules, parse.GetValue(_timeZone), parse.GetValue(_description)));
    }

    private static Calendar Checked(Calendar calendar)
    {
        // The cluster's own rules, phrased in the JSON names; the flags map one to one onto them.
        var valid = DefinitionValidator.Validate(calendar);
        if (valid.IsErr) throw new UsageException($"invalid calendar: {valid.Error.Message}");
        return calendar;
    }

    private static DateOnly Date(string text, string flag) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new UsageException($"{flag}: '{text}' is not a date as YYYY-MM-DD");

    private static CalendarRule Window(CalendarRuleKind kind, string text, string flag)
    {
        var parts = text.Split('-');
        if (parts.Length != 2 || !TryTime(parts[0], out var start) || !TryTime(parts[1], out var end))
            throw new UsageException($"{flag}: '{text}' is not a window as HH:MM-HH:MM, e.g. 09:00-17:00");
        return new CalendarRule(kind, Start: start, End: end);
    }

    private static bool TryTime(string text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text.Trim(), ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
}
