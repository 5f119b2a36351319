using System.Globalization;
using System.Net;

namespace Orleans.ConvoOrchestrator.Silo.Pages;

/// <summary>Text pieces the events page's renderers share: escaping, instants the script keeps relative, durations.</summary>
internal static class PageText
{
    /// <summary>HTML-escaped text (also safe inside a double-quoted attribute).</summary>
    public static string H(string? text) => WebUtility.HtmlEncode(text ?? "");

    // The script turns these into "in 4 s" / "3 s ago" and keeps them current; the text is the no-script fallback.
    // A future instant (next run) that has just passed reads "due" until the next refresh brings the one after.
    /// <summary>An instant as a <c>time</c> element, or <paramref name="none"/> in muted text.</summary>
    public static string When(DateTimeOffset? at, string none, bool future = false) => at is { } t
        ? $"""<time datetime="{Iso(t)}" data-rel="{(future ? "future" : "")}">{t.UtcDateTime:HH:mm:ss} UTC</time>"""
        : $"""<span class="muted">{H(none)}</span>""";

    /// <summary>An instant as UTC ISO 8601 with milliseconds.</summary>
    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>A span as a short, whole unit where it is one ("5 min", "1 d"), else seconds.</summary>
    public static string Span(TimeSpan? span) => span switch
    {
        null => "?",
        { TotalDays: >= 1 } s when s.TotalDays == Math.Floor(s.TotalDays) => $"{s.TotalDays:0} d",
        { TotalHours: >= 1 } s when s.TotalHours == Math.Floor(s.TotalHours) => $"{s.TotalHours:0} h",
        { TotalMinutes: >= 1 } s when s.TotalMinutes == Math.Floor(s.TotalMinutes) => $"{s.TotalMinutes:0} min",
        { } s => $"{s.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s",
    };

    /// <summary>Text cut to <paramref name="max"/> characters plus an ellipsis: payloads may be large, the page stays small.</summary>
    public static string Cut(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");

    /// <summary>A duration in seconds as ms, s or min.</summary>
    public static string Seconds(double s) => s switch
    {
        < 1 => $"{(s * 1000).ToString("0", CultureInfo.InvariantCulture)} ms",
        < 60 => $"{s.ToString("0.0#", CultureInfo.InvariantCulture)} s",
        _ => $"{(s / 60).ToString("0.0", CultureInfo.InvariantCulture)} min",
    };
}
