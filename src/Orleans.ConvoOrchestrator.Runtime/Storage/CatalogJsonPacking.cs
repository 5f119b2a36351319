using System.Text;

namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// How the memory catalog keeps a definition's JSON: UTF-8 with the property-name runs every definition repeats
/// (<c>","handlerName":"</c>, <c>,"maxConcurrency":</c>, ...) replaced by one byte each. The catalogs are the largest
/// part of what an idle schedule keeps (docs/adr/0008-memory-store-tuning.md); this halves them for ~a scan per
/// write. JSON never holds a raw byte below 0x20 (the serializer escapes them), so those 31 bytes are the codes; text
/// that does hold one (JSON written by hand, with line breaks) is kept as it came, behind a leading 0x00.
/// Lossless for any text: what <see cref="Unpack"/> returns is exactly what was packed.
/// </summary>
internal static class CatalogJsonPacking
{
    // Runs as ConvoJson writes events, triggers and calendars (declaration order, nulls left out). Order does not
    // matter: the longest run that matches wins. At most 31 (codes 0x01-0x1F).
    private static readonly string[] Runs =
    [
        "{\"id\":\"",
        "\",\"name\":\"",
        "\",\"handlerName\":\"",
        "\",\"policy\":{\"timeoutSec\":",
        "\",\"policy\":{\"maxRetries\":",
        ",\"maxRetries\":",
        ",\"backoff\":\"FIXED\"",
        ",\"backoff\":\"EXP\"",
        ",\"backoff\":\"EXP_JITTER\"",
        ",\"maxConcurrency\":",
        ",\"rateLimitPerSec\":",
        "},\"active\":true}",
        "},\"active\":false}",
        "},\"active\":true,\"metadata\":{",
        "\",\"kind\":\"EXTERNAL\",\"active\":true",
        "\",\"kind\":\"Cron\",\"active\":true,\"cron\":\"",
        "\",\"kind\":\"INTERVAL\",\"interval\":\"",
        "\",\"kind\":\"AT\",\"at\":\"",
        "\",\"kind\":\"",
        "\",\"active\":true,\"misfire\":\"Coalesce\",\"anchor\":\"",
        "\",\"misfire\":\"Coalesce\",\"anchor\":\"",
        ",\"active\":",
        ",\"misfire\":\"",
        ",\"anchor\":\"",
        "+00:00\",\"overlap\":\"AllowAll\"}",
        ",\"overlap\":\"",
        ",\"timeZone\":\"",
        ",\"calendars\":[\"",
        "\":\"",
        "\",\"",
        "\":",
    ];

    private static readonly byte[][] Encoded = [.. Runs.Select(Encoding.UTF8.GetBytes)];

    // For each first byte, the codes of the runs that start with it, longest first.
    private static readonly byte[][] ByFirst = BuildIndex();

    /// <summary>The packed form of <paramref name="json"/> (empty text gives an empty array).</summary>
    public static byte[] Pack(string json)
    {
        if (json.Length == 0) return [];
        var utf8 = Encoding.UTF8.GetBytes(json);
        if (utf8.AsSpan().IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0) return [0, .. utf8];
        var packed = new byte[utf8.Length];
        var length = 0;
        for (var i = 0; i < utf8.Length; )
        {
            var code = LongestAt(utf8, i);
            if (code == 0) packed[length++] = utf8[i++];
            else
            {
                packed[length++] = code;
                i += Encoded[code - 1].Length;
            }
        }
        return packed.AsSpan(0, length).ToArray();
    }

    /// <summary>The text <paramref name="packed"/> was made from.</summary>
    public static string Unpack(byte[] packed)
    {
        if (packed.Length == 0) return "";
        if (packed[0] == 0) return Encoding.UTF8.GetString(packed, 1, packed.Length - 1);
        var size = 0;
        foreach (var b in packed) size += b <= Runs.Length && b > 0 ? Encoded[b - 1].Length : 1;
        var utf8 = size <= 1024 ? stackalloc byte[size] : new byte[size];
        var at = 0;
        foreach (var b in packed)
        {
            if (b > 0 && b <= Runs.Length)
            {
                Encoded[b - 1].CopyTo(utf8[at..]);
                at += Encoded[b - 1].Length;
            }
            else utf8[at++] = b;
        }
        return Encoding.UTF8.GetString(utf8);
    }

    private static byte LongestAt(byte[] utf8, int at)
    {
        foreach (var code in ByFirst[utf8[at]])
        {
            if (utf8.AsSpan(at).StartsWith(Encoded[code - 1])) return code;
        }
        return 0;
    }

    private static byte[][] BuildIndex()
    {
        if (Runs.Length > 31) throw new InvalidOperationException("at most 31 runs: their codes are the bytes 0x01-0x1F");
        var index = new byte[256][];
        for (var first = 0; first < 256; first++)
        {
            index[first] = [.. Enumerable.Range(1, Runs.Length)
                .Where(code => Encoded[code - 1][0] == first)
                .OrderByDescending(code => Encoded[code - 1].Length)
                .Select(code => (byte)code)];
        }
        return index;
    }
}
