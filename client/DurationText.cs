using System.Globalization;
using System.Text.RegularExpressions;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// Durations on the command line: <c>200ms</c>, <c>10s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, combinations such
/// as <c>1m30s</c>, or the JSON form <c>hh:mm:ss</c>. A bare number is refused: "10" could mean seconds or
/// milliseconds, and guessing wrong schedules a trigger a thousand times too often.
/// </summary>
internal static partial class DurationText
{
    public const string Help = "e.g. 200ms, 10s, 5m, 1h30m, 1d or 00:00:10";

    /// <summary>Parses <paramref name="text"/>; throws <see cref="UsageException"/> naming <paramref name="option"/>.</summary>
    public static TimeSpan Parse(string text, string option)
    {
        var trimmed = text.Trim();
        if (trimmed.Contains(':') && TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
            return span;

        var match = Units().Match(trimmed);
        if (!match.Success || trimmed.Length == 0)
            throw new UsageException($"{option}: '{text}' is not a duration ({Help})");
        var total = TimeSpan.Zero;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = Unit().Match(part.Value);
            var amount = double.Parse(unit.Groups["n"].Value, CultureInfo.InvariantCulture);
            total += unit.Groups["u"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }
        if (total <= TimeSpan.Zero) throw new UsageException($"{option}: '{text}' must be longer than zero");
        return total;
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ms|s|m|h|d))+$")]
    private static partial Regex Units();

    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?)(?<u>ms|s|m|h|d)$")]
    private static partial Regex Unit();
}
