using System.Text;

namespace Orleans.ConvoOrchestrator.Postgres;

/// <summary>Channel names as PostgreSQL sees them: quoted identifiers, cut at 63 bytes.</summary>
public static class PgChannel
{
    /// <summary>PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes.</summary>
    public const int MaxBytes = 63;

    /// <summary>The name PostgreSQL uses for <paramref name="name"/>: cut at <see cref="MaxBytes"/> UTF-8 bytes on a character boundary, as the server does.</summary>
    public static string Normalize(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxBytes) return name;
        var bytes = 0;
        var end = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > MaxBytes) break;
            bytes += rune.Utf8SequenceLength;
            end += rune.Utf16SequenceLength;
        }
        return name[..end];
    }

    /// <summary>A quoted identifier: any text is safe in LISTEN/UNLISTEN (double quotes doubled; case kept).</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
