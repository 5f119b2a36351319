using System.Text;

namespace Orleans.ConvoOrchestrator;

/// <summary>FNV-1a hashes that every process computes alike (unlike <see cref="string.GetHashCode()"/>).</summary>
public static class StableHash
{
    /// <summary>The hash of <paramref name="text"/> (UTF-8) followed by the 8 bytes of <paramref name="salt"/>.</summary>
    public static ulong Of(string text, long salt = 0)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text)) hash = (hash ^ b) * 1099511628211UL;
        for (var i = 0; i < 8; i++) hash = (hash ^ (byte)(salt >> (8 * i))) * 1099511628211UL;
        return hash;
    }
}
