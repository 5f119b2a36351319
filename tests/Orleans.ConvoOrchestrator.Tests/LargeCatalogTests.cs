using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>Listing works with 100,000 events on the Redis store, in id order, without activating their grains.</summary>
[Trait(Lane.Name, Lane.System)]
public sealed class LargeCatalogTests(ITestOutputHelper output)
{
    [Fact]
    public async Task One_hundred_thousand_events_list_in_order()
    {
        const int count = 100_000;
        await using var redis = await RedisServer.StartAsync(fsync: "everysec");
        var cluster = "catalog-" + Guid.NewGuid().ToString("N")[..8];
        // Fill the listing the way 100,000 saves would leave it (saving them one by one through grains would
        // only measure grain activation), then list through a real silo and client.
        await using (var connection = new RedisConnection(redis.Configuration, Options.Create(new ClusterOptions { ServiceId = cluster })))
        {
            var store = new RedisCatalogStore(connection);
            var writes = new List<Task>();
            for (var i = 0; i < count; i++)
            {
                var ev = new Event(new EventId($"ev-{i:D6}"), $"event {i}", "log");
                writes.Add(store.PutAsync(CatalogKeys.Events, ev.Id.Value, JsonSerializer.Serialize(ev, ConvoJson.Options)));
                if (writes.Count == 2_000)
                {
                    await Task.WhenAll(writes);
                    writes.Clear();
                }
            }
            await Task.WhenAll(writes);
        }

        await using var silo = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster);
        await using var client = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
        var watch = Stopwatch.StartNew();
        var events = (await client.Api.ListEventsAsync()).Unwrap();
        output.WriteLine($"listed {events.Count} events in {watch.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(count, events.Count);
        Assert.Equal("ev-000000", events[0].Id.Value);
        Assert.Equal($"ev-{count - 1:D6}", events[^1].Id.Value);
        Assert.True(events.Zip(events.Skip(1)).All(p => string.CompareOrdinal(p.First.Id.Value, p.Second.Id.Value) < 0), "not in id order");
        Assert.Equal("log", events[12_345].HandlerName);
    }
}
