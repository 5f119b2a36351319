using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>A bulk set-up on the Redis store is durable: events, subscriptions, listings and schedules survive a killed silo.</summary>
[Trait(Lane.Name, Lane.System)]
public sealed class BulkSetupRedisTests
{
    [Fact]
    public async Task Events_and_triggers_set_up_in_bulk_survive_a_killed_silo()
    {
        await using var redis = await RedisServer.StartAsync();
        var cluster = "bulk-" + Guid.NewGuid().ToString("N")[..8];
        var setups = Enumerable.Range(0, 40).Select(i => new EventSetup(
            new Event(new EventId($"bulk-ev-{i:D2}"), $"bulk {i}", "log"),
            [new Trigger(new TriggerId($"bulk-daily-{i:D2}"), TriggerKind.Cron, Cron: "0 3 * * *")])).ToList();
        DateTimeOffset? nextFire;

        var first = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster);
        await using (first)
        {
            await using var client = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
            Assert.Equal(40, (await client.Api.SaveEventsAsync(setups)).Unwrap());
            nextFire = (await client.Api.TriggerStatusAsync(new TriggerId("bulk-daily-07"))).Unwrap().NextFire;
            Assert.NotNull(nextFire);
            await first.KillAsync();
        }

        await using var second = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster, restartOf: first);
        await using var again = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
        var api = again.Api;
        Assert.Equal(setups.Select(s => s.Event).ToList(), (await api.ListEventsAsync()).Unwrap());
        Assert.Equal(setups.Select(s => s.TriggerList[0].Id).ToList(), (await api.ListTriggersAsync()).Unwrap().Select(t => t.Id).ToList());
        Assert.Equal([new TriggerId("bulk-daily-07")], (await api.ListTriggersAsync(new EventId("bulk-ev-07"))).Unwrap().Select(t => t.Id).ToList());
        var status = (await api.TriggerStatusAsync(new TriggerId("bulk-daily-07"))).Unwrap();
        Assert.Equal(nextFire, status.NextFire);
        Assert.Equal([new EventId("bulk-ev-07")], status.Subscribers);
    }
}
