using System.Globalization;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>How values look in human output. Invariant culture, so output does not change with the locale.</summary>
internal static class Format
{
    /// <summary>The placeholder for "no value", so columns never look shifted.</summary>
    public const string None = "-";

    /// <summary>One table cell: single line, cut to <paramref name="maxWidth"/> characters.</summary>
    public static string Cell(object? value, int maxWidth)
    {
        var text = value switch
        {
            null => None,
            string s when s.Length == 0 => None,
            string s => s,
            bool b => b ? "yes" : "no",
            DateTimeOffset t => Time(t),
            TimeSpan d => Duration(d),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? None,
        };
        // Handler previews and error messages may span lines; a table row must not.
        text = text.ReplaceLineEndings(" ").Replace('\t', ' ');
        return text.Length <= maxWidth ? text : text[..(maxWidth - 3)] + "...";
    }

    /// <summary>An instant in UTC, to the millisecond.</summary>
    public static string Time(DateTimeOffset? t) =>
        t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : None;

    /// <summary>A duration in the unit that reads best.</summary>
    public static string Duration(TimeSpan d) => d.TotalMilliseconds switch
    {
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{d.TotalMilliseconds:0.###} ms"),
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{d.TotalMilliseconds:0} ms"),
        < 60_000 => string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.##} s"),
        _ => Units(d),
    };

    // "1m30s", "2h", "1d4h5m": the form the CLI also accepts as input (DurationText).
    private static string Units(TimeSpan d)
    {
        var text = new System.Text.StringBuilder();
        if (d.Days > 0) text.Append(CultureInfo.InvariantCulture, $"{d.Days}d");
        if (d.Hours > 0) text.Append(CultureInfo.InvariantCulture, $"{d.Hours}h");
        if (d.Minutes > 0) text.Append(CultureInfo.InvariantCulture, $"{d.Minutes}m");
        var seconds = d.Seconds + d.Milliseconds / 1000.0;
        if (seconds > 0) text.Append(CultureInfo.InvariantCulture, $"{seconds:0.###}s");
        return text.ToString();
    }

    /// <summary>Labels as <c>k=v,k=v</c> (they arrive sorted by key).</summary>
    public static string Labels(IReadOnlyDictionary<string, string> labels) =>
        labels.Count == 0 ? None : string.Join(",", labels.Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>A number without culture-specific separators.</summary>
    public static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>When a trigger fires, in a few words: "every 10 s", "cron '*/5 * * * * *' Europe/Berlin", "external".</summary>
    public static string Schedule(Trigger t)
    {
        var text = t.Kind switch
        {
            TriggerKind.INTERVAL => $"every {(t.Interval is { } i ? Duration(i) : None)}",
            TriggerKind.AT => $"at {Time(t.At)}",
            TriggerKind.Cron => $"cron '{t.Cron}' {t.TimeZone ?? "UTC"}",
            TriggerKind.EXTERNAL => "external",
            TriggerKind.CONDITION => $"condition {t.Condition}" + (t.Interval is { } poll ? $", polled every {Duration(poll)}" : ""),
            _ => t.Kind.ToString(),
        };
        if (t.Jitter is { } j && j > TimeSpan.Zero) text = $"{text} (jitter {Duration(j)})";
        return t.HasCalendars ? $"{text} except calendar {string.Join(", ", t.Calendars!)}" : text;
    }

    /// <summary>What one calendar rule excludes, in words: "12-25 every year", "outside 09:00-17:00".</summary>
    public static string Rule(CalendarRule r) => r.Kind switch
    {
        CalendarRuleKind.Date => $"{r.Date:yyyy-MM-dd}",
        CalendarRuleKind.DateRange => $"{r.From:yyyy-MM-dd} to {r.To:yyyy-MM-dd}",
        CalendarRuleKind.Annual => $"{r.Month:00}-{r.Day:00} every year",
        CalendarRuleKind.DailyWindow => $"{Clock(r.Start)}-{Clock(r.End)} daily",
        CalendarRuleKind.OutsideDailyWindow => $"outside {Clock(r.Start)}-{Clock(r.End)} daily",
        CalendarRuleKind.Cron => $"cron '{r.Cron}'",
        _ => r.Kind.ToString(),
    };

    private static string Clock(TimeOnly? t) => t is { } v
        ? v.ToString(v.Second == 0 ? "HH:mm" : "HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
        : None;

    /// <summary>An instant relative to <paramref name="now"/>: "in 4.2 s", "3 s ago", for live views.</summary>
    public static string Relative(DateTimeOffset? t, DateTimeOffset now)
    {
        if (t is not { } v) return None;
        var d = v - now;
        return d >= TimeSpan.Zero ? $"in {Duration(d)}" : $"{Duration(-d)} ago";
    }
}
