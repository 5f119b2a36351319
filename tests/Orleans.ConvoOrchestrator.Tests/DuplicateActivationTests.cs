using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Runtime.Grains;
using Orleans.ConvoOrchestrator.Tests.Support;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// What a duplicate activation of an event (left by a membership change) can leave behind on Redis, and how the
/// live activation recovers it: an activation whose jobs another one took over starts nothing more and deactivates
/// (the job writes are fenced by an owner token), an activation whose state was written by another one deactivates,
/// without losing an outcome or running a finished job again, and a stored job no activation runs (written from outside
/// any activation: an unfenced write) is adopted by the next recovery sweep.
/// </summary>
[Trait(Lane.Name, Lane.System)]
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

        // A job the live activation never accepted, written without an owner token (unfenced, as a tool would): a
        // stale activation's own write is refused since the owner token (see the test below), so only such a write
        // leaves a stored job nobody runs, and the live activation adopts it.
        await using var connection = new RedisConnection(redis.Configuration, Options.Create(new ClusterOptions { ClusterId = cluster, ServiceId = cluster }));
        var orphan = new QueuedJob("orphan-" + Guid.NewGuid().ToString("N"), 0, "{\"ms\":1}", null, "c", DateTimeOffset.UtcNow, null, Deliveries: 1);
        await new RedisJobStore(connection, FailedJobRetention.Default).WriteAsync(ev, [orphan], [], historySize: 100);

        var history = await Eventually.HistoryAsync(api, ev, 2, TimeSpan.FromSeconds(30));
        Assert.Contains(history, r => r.JobId == orphan.JobId && r.Outcome.Status == JobStatus.OK);
        Assert.Contains(history, r => r.JobId == running);
        Assert.Contains("adopted 1 stored jobs", silo.Log);
    }

    [Fact]
    public async Task An_activation_whose_jobs_another_one_took_over_starts_nothing_more()
    {
        await using var redis = await RedisServer.StartAsync();
        var cluster = "fence-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster, SiloEnvironment);
        await using var client = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
        var api = client.Api;
        var ev = new EventId("usurped");
        (await api.SaveEventAsync(new Event(ev, ev.Value, "sleep", new Policy(MaxConcurrency: 1, TimeoutSec: 10)))).Unwrap();
        // One job runs; the second waits for its slot, to be started by the first one's end.
        var running = (await api.EmitAsync(ev, new { ms = 1500 })).Unwrap();
        var queued = (await api.EmitAsync(ev, new { ms = 1 })).Unwrap();

        // Another activation takes the event's jobs over, as a survivor does after a silo was wrongly declared dead.
        await using var connection = new RedisConnection(redis.Configuration, Options.Create(new ClusterOptions { ClusterId = cluster, ServiceId = cluster }));
        var store = new RedisJobStore(connection, FailedJobRetention.Default);
        Assert.Equal([running, queued], (await store.TakeOverAsync(ev, "survivor")).OrderBy(j => j.Seq).Select(j => j.JobId));

        // The stale activation's end of the running job, with the delivery mark of the queued one, is refused: it
        // starts nothing more and goes. The next activation (woken by the recovery sweep) runs both: the queued job
        // once, as its first delivery; the running one again, flagged as a redelivery (its first end was not stored).
        var history = await Eventually.HistoryAsync(api, ev, 2, TimeSpan.FromSeconds(30));
        Assert.Contains("took over this event's jobs; this stale one starts nothing more", silo.Log);
        Assert.Equal([1], history.Where(r => r.JobId == queued).Select(r => r.Outcome.Delivery));
        Assert.Equal([2], history.Where(r => r.JobId == running).Select(r => r.Outcome.Delivery));
    }

    [Fact]
    public async Task An_activation_whose_state_another_one_wrote_deactivates_and_no_finished_job_runs_again()
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
        await Task.Delay(1000); // its last outcome's state is stored

        // Another activation writes the event's outcomes: the version this activation holds is now stale.
        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var db = mux.GetDatabase();
        var keys = mux.GetServer(mux.GetEndPoints()[0]).Keys(pattern: $"{cluster}/state/*stale*outcomes*").ToList();
        var key = Assert.Single(keys);
        await db.HashSetAsync(key, "etag", "written-by-another-activation");

        // Its next outcome-state write conflicts and it deactivates; the job's outcome was stored as it ended (with
        // its record's deletion), so the next activation has nothing of it to run again.
        var second = (await api.EmitAsync(ev, new { n = 2 })).Unwrap();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && !silo.Log.Contains("this stale one deactivates")) await Task.Delay(200);
        Assert.Contains("this stale one deactivates", silo.Log);
        var third = (await api.EmitAsync(ev, new { n = 3 })).Unwrap(); // served by a new activation
        var history = await Eventually.HistoryAsync(api, ev, 3, TimeSpan.FromSeconds(30));
        Assert.Contains(history, r => r.JobId == third);
        Assert.Equal([1], history.Where(r => r.JobId == second).Select(r => r.Outcome.Delivery));
        Assert.DoesNotContain("Event stale: resumed", silo.Log); // no stored job was left for the new activation
    }
}
