using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>The Redis history store on a real redis-server: bounded, ordered, every field round-trips, events apart.</summary>
public sealed class RedisHistoryStoreTests
{
    private static JobRecord Rec(int n, JobStatus status = JobStatus.OK) => new($"job-{n}", n % 2 == 0 ? new TriggerId("tr") : null,
        DateTimeOffset.UnixEpoch.AddSeconds(n),
        new JobOutcome(status, DateTimeOffset.UnixEpoch.AddSeconds(n), DateTimeOffset.UnixEpoch.AddSeconds(n + 1),
            status == JobStatus.OK ? null : new AppError(ErrorKind.TIMEOUT, "too slow"), Retries: 1, ResultPreview: $"r{n}", Delivery: 2));

    [Fact]
    public async Task Appends_keep_the_newest_in_order_and_records_round_trip()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var connection = new RedisConnection(redis.Configuration, Options.Create(new ClusterOptions { ServiceId = "hist" }));
        var store = new RedisHistoryStore(connection);
        var ev = new EventId("ev");

        await store.AppendAsync(ev, Enumerable.Range(0, 4).Select(n => Rec(n)).ToList(), keep: 5);
        await store.AppendAsync(ev, [Rec(4), Rec(5, JobStatus.ERR), Rec(6)], keep: 5);
        await store.AppendAsync(new EventId("other"), [Rec(99)], keep: 5);

        var all = await store.LoadAsync(ev, 100);
        Assert.Equal(["job-2", "job-3", "job-4", "job-5", "job-6"], all.Select(r => r.JobId));
        Assert.Equal(Rec(5, JobStatus.ERR), all[3]); // every field, the error included
        Assert.Equal(["job-5", "job-6"], (await store.LoadAsync(ev, 2)).Select(r => r.JobId));

        await store.ClearAsync(ev);
        Assert.Empty(await store.LoadAsync(ev, 10));
        Assert.Equal(["job-99"], (await store.LoadAsync(new EventId("other"), 10)).Select(r => r.JobId));
    }
}
