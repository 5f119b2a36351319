using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Runtime.Grains;
using Orleans.ConvoOrchestrator.Tests.Support;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Data written with the keys of before the hash tags (no braces, one pending set) is moved to the tagged keys the
/// first time a silo of the service connects, and the stores then read it as their own; the other keys stay.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class RedisKeyLayoutTests
{
    [Fact]
    public async Task Keys_of_the_untagged_layout_are_moved_once_and_read_back_by_the_stores()
    {
        await using var redis = await RedisServer.StartAsync();
        const string prefix = "old-svc:convo:";
        await using (var mux = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            var db = mux.GetDatabase();
            // What the stores of the previous release wrote: a job hash, the one pending set, a history, a catalog.
            var job = new QueuedJob("job-1", 1, "{\"n\":1}", null, "corr-1", DateTimeOffset.UnixEpoch, null);
            await db.HashSetAsync(prefix + "jobs:ev-a", "job-1", StoredJobJson.Serialize(job));
            await db.SetAddAsync(prefix + "jobs-pending", "ev-a");
            var record = new JobRecord("job-0", null, DateTimeOffset.UnixEpoch, new JobOutcome(JobStatus.OK, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, Delivery: 1));
            await db.SortedSetAddAsync(prefix + "runs:ev-a", "job-0/1", 1);
            await db.HashSetAsync(prefix + "run-records:ev-a", "job-0/1", System.Text.Json.JsonSerializer.Serialize(record, ConvoJson.Options));
            await db.SortedSetAddAsync(prefix + "catalog:events", "ev-a", 0);
            await db.HashSetAsync(prefix + "catalog:events:json", "ev-a", "{\"id\":\"ev-a\"}");
            await db.SortedSetAddAsync(prefix + "catalog:wake:1700000000000", "tr-x", 0);
            await db.HashSetAsync(prefix + "catalog:wake:1700000000000:json", "tr-x", "{}");
            await db.StringSetAsync("old-svc/state/event/ev-a", "grain state is Orleans' and stays");
        }

        await using var connection = new RedisConnection(redis.Configuration, Options.Create(new ClusterOptions { ServiceId = "old-svc" }));
        var jobs = new RedisJobStore(connection, FailedJobRetention.Default);
        var ev = new EventId("ev-a");

        Assert.Equal(["job-1"], (await jobs.LoadAsync(ev)).Select(j => j.JobId));
        Assert.Equal([ev], await jobs.PendingEventsAsync());
        Assert.Equal(["job-0"], (await new RedisHistoryStore(connection).LoadAsync(ev, 10)).Select(r => r.JobId));
        var catalogs = new RedisCatalogStore(connection);
        Assert.Equal(["ev-a"], (await catalogs.ListAsync("events", null, 10)).Select(e => e.Id));
        Assert.Equal(["tr-x"], (await catalogs.ListAsync("wake:1700000000000", null, 10)).Select(e => e.Id));

        await using var check = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var keys = check.GetServer(check.GetEndPoints()[0]).Keys(pattern: "*").Select(k => k.ToString()).Order().ToList();
        var shard = RedisKeys.ShardOf(ev);
        Assert.Equal(
            [
                "old-svc/state/event/ev-a",
                prefix + "catalog:{events}", prefix + "catalog:{events}:json",
                prefix + "catalog:{wake:1700000000000}", prefix + "catalog:{wake:1700000000000}:json",
                prefix + "layout",
                prefix + "{j" + shard + "}:jobs-pending", prefix + "{j" + shard + "}:jobs:ev-a",
                prefix + "{j" + shard + "}:run-records:ev-a", prefix + "{j" + shard + "}:runs:ev-a",
            ],
            keys.Order(StringComparer.Ordinal));

        // A later silo finds the marker and moves nothing, even a key that looks old.
        await check.GetDatabase().HashSetAsync(prefix + "jobs:ev-late", "job-9", "{}");
        await using var later = new RedisConnection(redis.Configuration, Options.Create(new ClusterOptions { ServiceId = "old-svc" }));
        await later.DatabaseAsync();
        Assert.True(await check.GetDatabase().KeyExistsAsync(prefix + "jobs:ev-late"));
    }
}
