using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Runtime.Grains;
using Orleans.ConvoOrchestrator.Tests.Support;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// What a duplicate activation of an event (left by a membership change) can leave behind on Redis, and how the
/// live activation recovers it: a stored job no activation runs is adopted by the next recovery sweep, and an
/// activation whose state was written by another one deactivates instead of losing outcomes.
/// </summary>
public sealed class DuplicateActivationTests
{
    private static readonly Dictionary<string, string> SiloEnvironment = new()
    {
        ["Convo__Orchestrator__HistoryWriteDelay"] = "00:00:00.2",
        ["Convo__Orchestrator__RecoverySweepInterval"] = "00:00:01",
    };

    [Fact]
    public async Task A_stored_job_that_no_activation_runs_is_adopted_by_the_live_activation()
    {
        await using var redis = await RedisServer.StartAsync();
        var cluster = "dup-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster, SiloEnvironment);
        await using var client = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
        var api = client.Api;
        var ev = new EventId("orphans");
        (await api.SaveEventAsync(new Event(ev, ev.Value, "sleep", new Policy(TimeoutSec: 10)))).Unwrap();
        // A long job keeps the activation alive and busy while the orphan is written beside it.
        var running = (await api.EmitAsync(ev, new { ms = 3000 })).Unwrap();

        // What a duplicate activation would have stored: a job the live activation never accepted.
        await using var connection = new RedisConnection(redis.Configuration, Options.Create(new ClusterOptions { ClusterId = cluster, ServiceId = cluster }));
        var orphan = new QueuedJob("orphan-" + Guid.NewGuid().ToString("N"), 0, "{\"ms\":1}", null, "c", DateTimeOffset.UtcNow, null, Deliveries: 1);
        await new RedisJobStore(connection).WriteAsync(ev, [orphan], []);

        var history = await Eventually.HistoryAsync(api, ev, 2, TimeSpan.FromSeconds(30));
        Assert.Contains(history, r => r.JobId == orphan.JobId && r.Outcome.Status == JobStatus.OK);
        Assert.Contains(history, r => r.JobId == running);
        Assert.Contains("adopted 1 stored jobs", silo.Log);
    }

    [Fact]
    public async Task An_activation_whose_state_another_one_wrote_deactivates_and_its_job_runs_again()
    {
        await using var redis = await RedisServer.StartAsync();
        var cluster = "stale-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster, SiloEnvironment);
        await using var client = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
        var api = client.Api;
        var ev = new EventId("stale");
        (await api.SaveEventAsync(new Event(ev, ev.Value, "log"))).Unwrap();
        (await api.EmitAsync(ev, new { n = 1 })).Unwrap();
        await Eventually.HistoryAsync(api, ev, 1, TimeSpan.FromSeconds(20));
        await Task.Delay(1000); // its outcome is stored

        // Another activation writes the event's outcomes: the version this activation holds is now stale.
        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var db = mux.GetDatabase();
        var keys = mux.GetServer(mux.GetEndPoints()[0]).Keys(pattern: $"{cluster}/state/*stale*outcomes*").ToList();
        var key = Assert.Single(keys);
        await db.HashSetAsync(key, "etag", "written-by-another-activation");

        // Its next outcome write conflicts: it deactivates, and the job's record (kept until an outcome is stored)
        // makes the next activation run it again, as delivery 2, and store that outcome.
        var second = (await api.EmitAsync(ev, new { n = 2 })).Unwrap();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JobRecord? redelivered = null;
        while (DateTime.UtcNow < deadline && redelivered is null)
        {
            await Task.Delay(300);
            redelivered = (await api.HistoryAsync(ev, 10)).Unwrap().FirstOrDefault(r => r.JobId == second && r.Outcome.Delivery == 2);
        }
        Assert.True(redelivered is not null, "the job of the stale activation was not run again\n" + silo.Log);
        Assert.Contains("this stale one deactivates", silo.Log);
    }
}
