using System.Collections.Concurrent;
using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class JobIdsTests
{
    [Fact]
    public void Ids_are_version_4_uuids_in_32_lowercase_hex_digits()
    {
        for (var i = 0; i < 200; i++) // past several refills of a thread's random bytes
        {
            var id = JobIds.Next();
            Assert.Matches("^[0-9a-f]{32}$", id);
            var guid = Guid.ParseExact(id, "N");
            Assert.Equal(4, guid.Version);
            Assert.Equal(0b10, guid.Variant >> 2); // RFC 9562 variant: bits 10xx
        }
    }

    [Fact]
    public void Ids_from_many_threads_never_repeat()
    {
        var ids = new ConcurrentBag<string>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (var i = 0; i < 5_000; i++) ids.Add(JobIds.Next());
        });
        Assert.Equal(40_000, ids.Count);
        Assert.Equal(40_000, ids.Distinct().Count());
    }

    [Fact]
    public void Ids_are_random_not_counted()
    {
        // Consecutive ids share no long run of leading digits, as ids from a counter or a clock would.
        var a = JobIds.Next();
        var b = JobIds.Next();
        Assert.NotEqual(a[..8], b[..8]);
    }
}
