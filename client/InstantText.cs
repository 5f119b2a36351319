using System.Globalization;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// Instants on the command line: ISO 8601 (<c>2026-12-24T18:00:00+01:00</c>; without an offset it is UTC), or
/// <c>+DURATION</c> for "that long from now" (<c>+30s</c>), which is what scripts usually mean.
/// </summary>
internal static class InstantText
{
    public const string Help = "ISO 8601 such as 2026-12-24T18:00:00Z (no offset = UTC), or +DURATION from now such as +30s";

    /// <summary>Parses <paramref name="text"/> relative to <paramref name="now"/>; throws <see cref="UsageException"/>.</summary>
    public static DateTimeOffset Parse(string text, string option, DateTimeOffset now)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('+')) return now + DurationText.Parse(trimmed[1..], option);
        if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var instant))
            return instant;
        throw new UsageException($"{option}: '{text}' is not an instant ({Help})");
    }
}
