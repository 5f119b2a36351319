using System.Security.Cryptography;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// New job ids: random (version 4) UUIDs as 32 lowercase hex digits, the form <c>Guid.NewGuid().ToString("N")</c>
/// gives. <c>Guid.NewGuid</c> makes a system call for its 16 random bytes on Linux, dear on a virtual machine and
/// once most of accepting a job (0cc6f7e; docs/benchmarks.md, "Where ConvoOrchestrator's time goes"). Here each
/// thread draws its bytes from the same cryptographic generator 1 KiB at a time, one system call per 64 ids.
/// </summary>
internal static class JobIds
{
    private const int IdsPerRefill = 64;

    [ThreadStatic] private static byte[]? t_random;
    [ThreadStatic] private static int t_next;

    /// <summary>A new job id, unique across silos and restarts as a random UUID is.</summary>
    public static string Next()
    {
        var random = t_random;
        if (random is null || t_next == random.Length)
        {
            random = t_random ??= new byte[16 * IdsPerRefill];
            RandomNumberGenerator.Fill(random);
            t_next = 0;
        }
        var bytes = random.AsSpan(t_next, 16);
        t_next += 16;
        // Version 4 and RFC 9562 variant, so the id reads as the random UUID it is.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString("N");
    }
}
