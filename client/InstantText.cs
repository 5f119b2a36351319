using System.Globalization;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// Instants on the command line: ISO 8601 (<c>2026-12-24T18:00:00+01:00</c>; without an offset it is UTC),
/// <c>+DURATION</c> for "that long from now" (<c>+30s</c>), <c>-DURATION</c> for "that long ago" (<c>-1d</c>, for
/// ranges in the past such as a backfill's), or <c>now</c>: what scripts usually mean.
/// </summary>
internal static class InstantText
{
    public const string Help = "ISO 8601 such as 2026-12-24T18:00:00Z (no offset = UTC), +DURATION from now such as +30s, -DURATION ago such as -6h, or now";

    /// <summary>Parses <paramref name="text"/> relative to <paramref name="now"/>; throws <see cref="UsageException"/>.</summary>
    public static DateTimeOffset Parse(string text, string option, DateTimeOffset now)
    {
        var trimmed = text.Trim();
        if (trimmed.Equals("now", StringComparison.OrdinalIgnoreCase)) return now;
        if (trimmed.StartsWith('+')) return now + DurationText.Parse(trimmed[1..], option);
        if (trimmed.StartsWith('-')) return now - DurationText.Parse(trimmed[1..], option);
        if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var instant))
            return instant;
        throw new UsageException($"{option}: '{text}' is not an instant ({Help})");
    }
}
